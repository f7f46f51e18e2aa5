// In-process micro-benchmark of the REST relay's data path of a build (SSE parse → cut scan → base64 check →
// JSON body): C interleaved calls, each answer 4 images of ~415 KB base64 arriving in 64 KB chunks, one
// chunk per event-loop turn; CPU and GC per MB of base64 after a 1 s warm-up. No sockets: the relay's own
// work only; also each call's time (p50, max ÷ p50: the large-image tail).
// Usage: npm run build; node bench/micro/relay-data-path.mjs <root with dist/> [c=8] [s=5] [image bytes=415000] [images=4] [rest|grpc]
// (grpc: the GenerateImages message instead of the JSON body).
import { PerformanceObserver } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
const [root, C = '8', SECS = '5', IMG = '415000', N_IMG = '4', EDGE = 'rest'] = process.argv.slice(2);
const { parseSseStream } = await import(`${root}/dist/src/upstream/sse.js`);
const { parseJsonWithCutsYielding, CUT_FROM_BYTES } = await import(`${root}/dist/src/upstream/parse-json-with-cuts.js`);
const { base64TextOf } = await import(`${root}/dist/src/base64.js`);
const { concatParts, jsonObjectWithBase64 } = await import(`${root}/dist/src/rest/json-parts.js`);
const { generatedImageFromDomain } = await import(`${root}/dist/src/grpc/events-to-proto.js`);
const { encodeGenerateImagesResponse } = await import(`${root}/dist/src/grpc/image-response-encoding.js`);
const frames = [];
for (let i = 0; i < +N_IMG; i++) {
  const b64 = randomBytes(Math.floor(+IMG * 3 / 4)).toString('base64');
  frames.push(`event: image_generation.partial_succeeded\ndata: {"type":"image_generation.partial_succeeded","model":"m","created":1,"image_index":${i},"b64_json":"${b64}","size":"2048x2048"}\n\n`);
}
frames.push('event: image_generation.completed\ndata: {"type":"image_generation.completed","model":"m","created":1,"usage":{"generated_images":4}}\n\ndata: [DONE]\n\n');
const body = Buffer.from(frames.join(''), 'latin1');
const b64Bytes = +IMG * +N_IMG;
const gc = { n: 0, ms: 0, max: 0 };
new PerformanceObserver((l) => { for (const e of l.getEntries()) { gc.n++; gc.ms += e.duration; gc.max = Math.max(gc.max, e.duration); } }).observe({ entryTypes: ['gc'] });
const turn = () => new Promise((r) => setImmediate(r));
async function* socket() { for (let at = 0; at < body.length; at += 65536) { const c = Buffer.allocUnsafe(Math.min(65536, body.length - at)); body.copy(c, 0, at); yield c; await turn(); } }
let bytes = 0; const w0 = Date.now(); let t0;
async function call() {
  const images = [];
  for await (const frame of parseSseStream(socket())) {
    if (frame.data.length < 10) continue;
    const json = await parseJsonWithCutsYielding(frame.data, 'b64_json', base64TextOf, CUT_FROM_BYTES);
    if (json.b64_json) images.push(json);
  }
  if (EDGE === 'grpc') {
    const domain = (im, i) => ({ index: i, content: { kind: 'base64', base64: im.b64_json }, mimeType: 'image/jpeg', width: 2048, height: 2048, requestIndex: 0, setIndex: i });
    const out = encodeGenerateImagesResponse({ images: images.map((im, i) => generatedImageFromDomain(domain(im, i))), failures: [], usage: undefined, model: 'm' });
    await turn();
    return out.length;
  }
  const parts = ['{"data":['];
  images.forEach((im, i) => { if (i) parts.push(','); parts.push(...jsonObjectWithBase64({}, 'b64_json', im.b64_json, { size: im.size })); });
  parts.push(']}');
  const out = concatParts(parts);
  await turn();
  return out.length;
}
const times = [];
async function worker() { while (Date.now() - w0 < +SECS * 1000) { const s = performance.now(); await call(); if (t0) { bytes += b64Bytes; times.push(performance.now() - s); } } }
setTimeout(() => { t0 = process.cpuUsage(); gc.n = 0; gc.ms = 0; gc.max = 0; }, 1000);
await Promise.all(Array.from({ length: +C }, worker));
const cpu = process.cpuUsage(t0); const MB = bytes / 1e6;
times.sort((a, b) => a - b);
const p50 = times[times.length >> 1] ?? 0; const max = times[times.length - 1] ?? 0;
console.log(root.padEnd(16), EDGE, `c=${C} ${((cpu.user + cpu.system) / 1000 / MB).toFixed(2)} ms/MB cpu, gc ${gc.n} / ${(gc.ms / MB).toFixed(2)} ms/MB, longest pause ${gc.max.toFixed(1)} ms, ${MB.toFixed(0)} MB; call p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms (÷ ${(max / p50).toFixed(2)})`);
