/**
 * The streaming answer (reference §3): Server-Sent Events, one `partial_succeeded` / `partial_failed`
 * per image attempt as it finishes, then `completed` with usage and `data: [DONE]`. Headers leave with
 * the first event, i.e. when the first image is ready (§3.1, as observed upstream).
 */
import { once } from 'node:events';
import { withRequestId } from './ark-errors.js';
import {
  cutAfter,
  imageFields,
  pause,
  produceImage,
  toolsEcho,
  usageOf,
  type Exchange,
  type Generation,
  type ImageOutcome,
} from './generation.js';

/** The SSE frame of an event: `event: <type>`, one `data:` line of single-line JSON, a blank line. */
export function sseEvent(type: string, payload: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
}

const RESET_GRACE_MS = 25;

/** The terminator the upstream sends after `completed` (§3.1). */
export const SSE_DONE = 'data: [DONE]\n\n';

/** Generates the images, streaming an event for each as it finishes. */
export async function respondSse(exchange: Exchange, generation: Generation): Promise<void> {
  const { res, signal, requestId } = exchange;
  const { fault, plan, request } = generation;
  const write = async (frame: string): Promise<boolean> => {
    if (!res.headersSent) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-request-id': requestId,
      });
    }
    if (res.write(frame)) return true;
    try {
      await once(res, 'drain', { signal }); // back-pressure: a slow reader holds the generation
      return true;
    } catch {
      return false;
    }
  };
  const header = () => ({ model: request.modelId, created: Math.floor(exchange.now() / 1000) });

  if (fault?.kind === 'delay-headers' && !(await pause(fault.ms, signal))) return;
  const cut = cutAfter(fault);
  const outcomes: ImageOutcome[] = [];
  while (outcomes.length < plan.count && (cut === undefined || outcomes.length < cut)) {
    if (!(await pause(exchange.latencyMs, signal))) return;
    const outcome = produceImage(generation, outcomes.length);
    outcomes.push(outcome);
    exchange.record(outcome);
    // image_index counts every attempt, failed ones too (§3.2).
    const frame =
      outcome.kind === 'image'
        ? sseEvent('image_generation.partial_succeeded', { ...header(), image_index: outcome.index, ...imageFields(generation, outcome) })
        : sseEvent('image_generation.partial_failed', { ...header(), image_index: outcome.index, error: outcome.error });
    if (!(await write(frame))) return;
    if (outcome.kind === 'failure' && outcome.fatal) break; // internal error: no further images (§3.2)
  }

  switch (fault?.kind) {
    case 'reset':
      // Let the events already written reach the client first (an RST discards unread data), so the
      // reset lands truly mid-stream.
      if (res.headersSent) await pause(RESET_GRACE_MS, signal);
      exchange.reset();
      return;
    case 'malformed-sse': {
      // A frame cut mid-JSON, then the end of the body without [DONE].
      const frame = sseEvent('image_generation.partial_succeeded', { ...header(), image_index: outcomes.length });
      await write(frame.slice(0, Math.floor(frame.length / 2)) + '\n\n');
      res.end();
      return;
    }
    case 'stream-error': {
      // ⚠ Whether a mid-stream error comes after an `event: error` line is undocumented (§3.2): the doc
      // sample shows a bare data line, which is also what the Go SDK detects (`{"error":` prefix).
      const code = fault.code ?? 'InternalServiceError';
      const message = withRequestId(fault.message ?? 'The request failed.', requestId);
      await write(`data: ${JSON.stringify({ error: { code, message } })}\n\n`);
      res.end();
      return;
    }
    default:
      break;
  }
  const completed = sseEvent('image_generation.completed', {
    ...header(),
    usage: usageOf(generation, outcomes),
    ...toolsEcho(generation),
  });
  if (!(await write(completed))) return;
  res.end(SSE_DONE);
}
