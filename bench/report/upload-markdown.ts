/** Scenario 9 (upload) as Markdown: one large reference image over a network with a round trip. */
import { uploadLabels, type UploadResult } from '../scenarios/upload.js';

export function uploadMarkdown(result: UploadResult): string[] {
  return [
    `**9. Upload** — one ${(result.referenceBytes / 1e6).toFixed(1)} MB reference image (PNG; base64 in the REST body), URL answer, one call at a time, ` +
      `${result.calls} calls per target after a warm-up, through a proxy adding a ${result.roundTripMs} ms round trip (no bandwidth limit).`,
    '',
    '| target | p50 ms | max ms | **p50 ÷ direct** |',
    '|---|---:|---:|---:|',
    ...result.phases.map((p) => `| ${uploadLabels[p.target]} | ${p.p50Ms.toFixed(0)} | ${p.maxMs.toFixed(0)} | ${p.overDirect.toFixed(2)}× |`),
    '',
  ];
}
