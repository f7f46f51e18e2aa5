/**
 * The fingerprint stored with an idempotency key (DESIGN §10): equal for the same generation request
 * however it was written — REST or gRPC, keys in any order, a default spelled out or left out — and
 * different as soon as anything that changes the result or its delivery differs.
 */
import { createHash } from 'node:crypto';
import type { GenerationSpec, ReferenceImage } from '../service/types.js';
import { canonicalJson } from './canonical-json.js';

/** Job options that are part of the request (a different webhook is a different request). The call's
 *  mode (sync, `Prefer: respond-async`, stream) is not: a retry may switch mode and still attach. */
export interface FingerprintedJobOptions {
  readonly webhookUrl?: string;
}

/** A reference image with the "detect from the file" default (`mimeType` empty) written one way. */
function canonicalReference(image: ReferenceImage): ReferenceImage {
  if (image.kind !== 'bytes' || (image.mimeType !== undefined && image.mimeType !== '')) return image;
  return { kind: 'bytes', data: image.data };
}

/** `sha256:<hex>` of the canonical request. Defaults the core applies (`n` = 1, no reference images)
 *  are dropped, so spelling them out does not change the fingerprint. */
export function requestFingerprint(spec: GenerationSpec, job: FingerprintedJobOptions = {}): string {
  const canonical = {
    ...spec,
    n: spec.n === 1 ? undefined : spec.n,
    referenceImages: spec.referenceImages.length === 0 ? undefined : spec.referenceImages.map(canonicalReference),
    job: job.webhookUrl === undefined ? undefined : { webhookUrl: job.webhookUrl },
  };
  return `sha256:${createHash('sha256').update(canonicalJson(canonical)).digest('hex')}`;
}
