/**
 * Helpers of the asset tests: real JPEG/PNG files from the simulator's encoders, counters that record
 * what the store reports, and the SHA-256 a client would compute.
 */
import { createHash } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';
import type { AssetMetrics } from '../../src/assets/asset-metrics.js';
import { encodeJpeg } from '../../src/simulator/imaging/jpeg.js';
import { drawPattern } from '../../src/simulator/imaging/pattern.js';

/** A real JPEG of `width`×`height` (different `seed`s give different files). */
export function jpegFile(width = 320, height = 240, seed = 1): Buffer {
  const pattern = drawPattern({ prompt: 'asset', seed, index: 0, width, height, watermark: false });
  return encodeJpeg(pattern, width, height);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** One recorded counter addition. */
export interface Recorded {
  readonly metric: keyof AssetMetrics;
  readonly value: number;
  readonly attributes: Attributes | undefined;
}

/** AssetMetrics whose counters record every addition into `records`. */
export function recordingMetrics(): { metrics: AssetMetrics; records: Recorded[] } {
  const records: Recorded[] = [];
  const counter = (metric: keyof AssetMetrics) => ({ add: (value: number, attributes?: Attributes) => void records.push({ metric, value, attributes }) });
  const metrics = {
    stored: counter('stored'),
    storedBytes: counter('storedBytes'),
    hostingFailures: counter('hostingFailures'),
    removed: counter('removed'),
    removedBytes: counter('removedBytes'),
  } as unknown as AssetMetrics;
  return { metrics, records };
}
