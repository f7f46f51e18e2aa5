/**
 * What the client prints: one line per event as it arrives, a summary, and failed calls spelled out
 * from their `google.rpc` details (status, reason, field violations, retry delay, upstream request id).
 */
import { BadRequest, ErrorInfo, RetryInfo, type ErrorDetails } from 'nice-grpc-error-details';
import { Status } from 'nice-grpc-common';
import { ImageFailureReason, type GeneratedImage, type Heartbeat, type ImageFailure, type GenerationCompleted } from '../../gen/seedream/v1/events.js';
import type { SavedImage } from './save-image.js';

const failureNames: Readonly<Record<number, string>> = {
  [ImageFailureReason.IMAGE_FAILURE_REASON_CONTENT_MODERATED]: 'moderated',
  [ImageFailureReason.IMAGE_FAILURE_REASON_GENERATION_FAILED]: 'generation failed',
  [ImageFailureReason.IMAGE_FAILURE_REASON_REQUEST_FAILED]: 'request failed',
};

export function heartbeatLine(heartbeat: Heartbeat): string {
  const seconds = (heartbeat.elapsed?.seconds ?? 0) + (heartbeat.elapsed?.nanos ?? 0) / 1e9;
  return `  … ${seconds.toFixed(1)} s, ${heartbeat.imagesDelivered} delivered, ${heartbeat.imagesFailed} failed`;
}

export function imageLine(image: GeneratedImage, saved: SavedImage): string {
  return `  ✓ image ${image.index}: ${image.width}×${image.height} ${image.mimeType} → ${saved.path} (${kib(saved.bytes)})`;
}

export function failureLine(failure: ImageFailure): string {
  const kind = failureNames[failure.reason] ?? 'failed';
  return `  ✗ image ${failure.index} ${kind}: ${failure.code}${failure.message === '' ? '' : ` — ${failure.message}`}`;
}

export function completedLine(completed: GenerationCompleted, elapsedMs: number): string {
  const usage = completed.usage;
  const cost = usage?.estimatedCost;
  const costText = cost === undefined ? '' : `, estimated ${(cost.amountMicros / 1e6).toFixed(4)} ${cost.currencyCode}`;
  return `done: ${usage?.generatedImages ?? 0} image(s), ${usage?.failedImages ?? 0} failed, model ${completed.model}${costText}, ${(elapsedMs / 1000).toFixed(1)} s`;
}

/** A failed call, readably: the status line, then one line per detail worth knowing. */
export function callErrorLines(code: Status, message: string, details: readonly ErrorDetails[]): string[] {
  const lines = [`error: ${Status[code] ?? code}: ${message}`];
  for (const detail of details) {
    if (detail.$type === ErrorInfo.$type) {
      lines.push(`  reason: ${detail.reason}`);
      const { upstream_code: upstreamCode, upstream_request_id: requestId } = detail.metadata;
      if (upstreamCode !== undefined) lines.push(`  upstream code: ${upstreamCode}`);
      if (requestId !== undefined) lines.push(`  upstream request id: ${requestId}`);
    } else if (detail.$type === BadRequest.$type) {
      for (const violation of detail.fieldViolations) lines.push(`  ${violation.field}: ${violation.description}`);
    } else if (detail.$type === RetryInfo.$type && detail.retryDelay !== undefined) {
      const seconds = Number(detail.retryDelay.seconds) + detail.retryDelay.nanos / 1e9;
      lines.push(`  retry after ${seconds.toFixed(1)} s`);
    }
  }
  return lines;
}

function kib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
