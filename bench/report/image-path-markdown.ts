/** Scenario 7 (the image path) as Markdown: first-image latency at c=1, then the concurrency steps. */
import type { ImagePathResult } from '../scenarios/image-path.js';

export function imagePathMarkdown(result: ImagePathResult): string[] {
  const ms = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '–' : value.toFixed(digits));
  const signed = (value: number | null) => (value === null ? '–' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}`);
  const mib = (kb: number | null) => (kb === null ? '–' : (kb / 1024).toFixed(1));
  return [
    `**7. Image path** — Seedream-shaped stand-in upstream: one 2K image of ${result.imageBase64Mb} MB incompressible base64 per call, ` +
      `SSE \`partial_succeeded\`, renders ${result.renderMs.min}–${result.renderMs.max} ms (real 20–90 s ÷ ${result.renderScale}); gateway traced, IMAGE_HOSTING=off; ` +
      `idle gateway RSS ${mib(result.gatewayIdleRssKb)} MiB. Times are beyond the render (call time minus the stand-in's render of that prompt).`,
    '',
    '| c=1 | calls | first image p50 ms | p99 ms | **added p50 ms** | **added p99 ms** |',
    '|---|---:|---:|---:|---:|---:|',
    ...result.firstImage.map((r) => `| ${r.target} | ${r.calls} | ${ms(r.beyondRenderMs.p50)} | ${ms(r.beyondRenderMs.p99)} | ${signed(r.addedP50Ms)} | ${signed(r.addedP99Ms)} |`),
    '',
    '| concurrent | target | calls | errors | whole answer p50 ms | max ms | **max ÷ p50** | gateway peak RSS − idle MiB | **MiB per generation** | s |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...result.steps.map(
      (s) =>
        `| ${s.concurrency} | ${s.target} | ${s.calls} | ${s.errors} | ${ms(s.beyondRenderMs?.p50, 0)} | ${ms(s.beyondRenderMs?.max, 0)} | ${ms(s.maxOverP50, 2)} | ` +
        `${mib(s.peakRssOverIdleKb)} | ${mib(s.kbPerGeneration)} | ${s.seconds.toFixed(1)} |`,
    ),
    '',
    `Most concurrent generations held with 0 errors: **${result.maxConcurrentWithoutErrors ?? 'none'}**` +
      (result.steps.some((s) => s.errors > 0) ? ` (first error: ${result.steps.find((s) => s.errors > 0)?.firstError ?? ''})` : ' (every step ran clean; the steps end there)'),
    '',
  ];
}
