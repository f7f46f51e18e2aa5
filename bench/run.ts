/**
 * `npm run bench`: starts the OTLP sink and the standalone simulator, runs the scenarios (URL-mode
 * overhead, base64 relay, slow concurrent streams) against freshly started gateway processes, writes
 * bench/results/latest.json and the figures in bench/README.md. Any harness failure (a process that does
 * not start, an error answer under load) exits non-zero; every child process is killed on the way out.
 */
import { join } from 'node:path';
import { installChildCleanup, killAllChildren } from './lib/children.js';
import { createBenchContext } from './lib/context.js';
import { machineInfo } from './lib/machine.js';
import { ALL_SCENARIOS, benchOptionsFromEnv } from './lib/options.js';
import { startOtlpSink } from './lib/otlp-sink.js';
import { startSimulator } from './lib/simulator-process.js';
import { base64Budget, latencyBudget, memoryBudget, peersBudget, urlBudget } from './report/budget.js';
import { figuresMarkdown } from './report/markdown.js';
import { updateReadmeFigures } from './report/readme.js';
import { settingsOf, writeResults, type BenchResults } from './report/results.js';
import { runBase64Relay } from './scenarios/base64-relay.js';
import { runImageHosting } from './scenarios/image-hosting.js';
import { runImagePath } from './scenarios/image-path.js';
import { runChannels } from './scenarios/channels.js';
import { runJobsBench } from './scenarios/jobs.js';
import { runPeers } from './scenarios/peers.js';
import { runSlowStreams } from './scenarios/slow-streams.js';
import { runSingleCall } from './scenarios/single-call.js';
import { runUpload } from './scenarios/upload.js';
import { runUrlMode } from './scenarios/url-mode.js';

/** Seed the simulator uses for seedless requests (so base64 answers come from its cache). */
const FIXED_SEED = 20240601;

async function main(): Promise<number> {
  installChildCleanup();
  const options = benchOptionsFromEnv(process.env);
  const started = performance.now();
  const machine = machineInfo(options.root);
  process.stdout.write(`seedream-gateway bench · ${machine.date} · Node ${machine.node} · ${machine.cpuModel} × ${machine.cpus} · commit ${machine.commit}\n`);

  const sink = await startOtlpSink();
  const simulator = await startSimulator(options.root, FIXED_SEED);
  const ctx = createBenchContext(options, simulator, sink);
  let results: BenchResults;
  try {
    const step = (title: string) => process.stdout.write(`\n${title}\n`);
    if (options.scenarios.has('url')) step('1. URL mode, zero simulator latency');
    const url = options.scenarios.has('url') ? await runUrlMode(ctx) : undefined;
    if (options.scenarios.has('latency')) step('1b. One call at a time (c=1): added latency');
    const latency = options.scenarios.has('latency') ? await runSingleCall(ctx) : undefined;
    if (options.scenarios.has('b64')) step('2. Base64 relay');
    const b64 = options.scenarios.has('b64') ? await runBase64Relay(ctx) : undefined;
    if (options.scenarios.has('streams')) step(`3. Slow concurrent streams (${options.slowStreams} per transport)`);
    const streams = options.scenarios.has('streams') ? await runSlowStreams(ctx) : undefined;
    if (options.scenarios.has('hosting')) step('4. Image hosting: 4K URL images re-hosted (off, local, s3)');
    const hosting = options.scenarios.has('hosting') ? await runImageHosting(ctx) : undefined;
    if (options.scenarios.has('channels')) step('5. Channels, caller quotas and the usage ledger (in process and Redis)');
    const channels = options.scenarios.has('channels') ? await runChannels(ctx) : undefined;
    if (options.scenarios.has('jobs')) step('6. Durable generations: idempotency keys and jobs (in process and Redis)');
    const jobs = options.scenarios.has('jobs') ? await runJobsBench() : undefined;
    if (options.scenarios.has('image-path')) step('7. Image path: Seedream-shaped answers (3–6 MB base64, scaled renders) through the gateway');
    const imagePath = options.scenarios.has('image-path') ? await runImagePath(ctx) : undefined;
    if (options.scenarios.has('peers')) step(`8. Peers: REST at ${options.peerConcurrency} concurrent — the gateway and Portkey`);
    const peers = options.scenarios.has('peers') ? await runPeers(ctx) : undefined;
    if (options.scenarios.has('upload')) step(`9. Upload: a ${(options.uploadBytes / 1e6).toFixed(0)} MB reference image over a ${options.uploadRoundTripMs} ms round trip`);
    const upload = options.scenarios.has('upload') ? await runUpload(ctx) : undefined;
    results = {
      machine,
      settings: settingsOf(options),
      ...(url !== undefined && { url }),
      ...(latency !== undefined && { latency }),
      ...(b64 !== undefined && { b64 }),
      ...(streams !== undefined && { streams }),
      ...(hosting !== undefined && { hosting }),
      ...(channels !== undefined && { channels }),
      ...(jobs !== undefined && { jobs }),
      ...(imagePath !== undefined && { imagePath }),
      ...(peers !== undefined && { peers }),
      ...(upload !== undefined && { upload }),
      budget: [urlBudget(url), latencyBudget(latency), base64Budget(b64), memoryBudget(streams), peersBudget(peers)],
      notRun: [
        ...[...(url?.skipped ?? []), ...(latency?.skipped ?? []), ...(b64?.skipped ?? [])].map((s) => `${s.name}: ${s.reason}`),
        ...(streams?.skipped === null || streams === undefined ? [] : [`slow REST streams: ${streams.skipped}`]),
        ...(channels?.notRun ?? []),
        ...(jobs?.notRun ?? []),
        ...(peers?.notRun == null ? [] : [`peers · Portkey: ${peers.notRun}`]),
      ],
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await simulator.child.stop(5000);
    await sink.close();
  }

  const markdown = figuresMarkdown(results);
  process.stdout.write(`\n${markdown}\n`);
  const fullRun = options.scenarios.size === ALL_SCENARIOS.length;
  // A partial run writes results/<scenarios>.json: latest.json stays the last full run's.
  process.stdout.write(`results: ${writeResults(options.benchDir, results, fullRun ? 'latest' : [...options.scenarios].join('+'))}\n`);
  if (fullRun) {
    updateReadmeFigures(join(options.benchDir, 'README.md'), markdown);
    process.stdout.write(`figures: ${join(options.benchDir, 'README.md')}\n`);
  } else {
    process.stdout.write('bench/README.md left as it was (only a run of every scenario rewrites its figures)\n');
  }
  const missed = results.budget.filter((line) => line.met === false);
  if (missed.length > 0) process.stdout.write(`\nBUDGET MISSED: ${missed.map((line) => line.line).join('; ')}\n`);
  return missed.length > 0 && process.env.BENCH_ENFORCE_BUDGET === 'true' ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`\nbench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    killAllChildren();
    process.exit(1);
  },
);
