/** The figures of a run as the Markdown that goes between the markers of bench/README.md. */
import type { MemoryReading } from '../lib/memory-readings.js';
import { hostingMarkdown } from '../scenarios/image-hosting.js';
import type { SlowStreamsResult } from '../scenarios/slow-streams.js';
import { pathLabels } from '../scenarios/paths.js';
import type { PathResult, ThroughputResult } from '../scenarios/throughput.js';
import { addedLatency } from '../scenarios/single-call.js';
import { cpuOverFloor, type BudgetLine } from './budget.js';
import type { BenchResults } from './results.js';
import type { ChannelsResult } from '../scenarios/channels.js';
import { jobsMarkdown } from '../scenarios/jobs.js';
import { imagePathMarkdown } from './image-path-markdown.js';
import { peersMarkdown } from './peers-markdown.js';
import { uploadMarkdown } from './upload-markdown.js';

export function figuresMarkdown(results: BenchResults): string {
  const { machine, settings } = results;
  const commit = `${machine.commit}${machine.dirty === true ? ' (with uncommitted changes)' : ''}`;
  const lines = [
    `Run ${machine.date.slice(0, 16).replace('T', ' ')} UTC · Node ${machine.node} · ${machine.cpuModel} × ${machine.cpus} · commit ${commit} · ` +
      `${settings.warmupMs / 1000} s warm-up + ${settings.measureMs / 1000} s measured per phase · whole run ${results.wallSeconds.toFixed(0)} s`,
    '',
    '**Budget (DESIGN §8)**',
    '',
    '| line | met | measured |',
    '|---|---|---|',
    ...results.budget.map(budgetRow),
    '',
  ];
  if (results.url !== undefined) lines.push(...urlSection(results.url));
  if (results.latency !== undefined) lines.push(...singleCallSection(results.latency));
  if (results.b64 !== undefined) lines.push(...base64Section(results.b64));
  if (results.streams !== undefined) lines.push(...streamsSection(results.streams));
  if (results.hosting !== undefined) lines.push(hostingMarkdown(results.hosting));
  if (results.channels !== undefined) lines.push(...channelsSection(results.channels));
  if (results.jobs !== undefined) lines.push(...jobsMarkdown(results.jobs));
  if (results.imagePath !== undefined) lines.push(...imagePathMarkdown(results.imagePath));
  if (results.peers !== undefined) lines.push(...peersMarkdown(results.peers));
  if (results.upload !== undefined) lines.push(...uploadMarkdown(results.upload));
  if (results.notRun.length > 0) lines.push('**Not run**', '', ...results.notRun.map((reason) => `- ${reason}`), '');
  return lines.join('\n');
}

function budgetRow(line: BudgetLine): string {
  return `| ${line.line} | ${line.met === null ? 'not measured' : line.met ? 'yes' : '**no**'} | ${line.detail} |`;
}

function urlSection(result: ThroughputResult): string[] {
  return [
    `**1. URL mode, zero simulator latency** (${result.concurrency} concurrent, closed loop)`,
    '',
    '| path | through | req/s | p50 ms | p99 ms | gateway CPU µs/req | **CPU ÷ floor** | simulator CPU µs/req | req/s ÷ direct | gateway CPU ÷ simulator CPU | other load |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...result.phases.map(
      (p) =>
        `| ${pathLabels[p.path]} | ${p.gateway ?? p.server} | ${p.requestsPerSecond.toFixed(0)} | ${p.latencyMs.p50.toFixed(2)} | ${p.latencyMs.p99.toFixed(2)} | ` +
        `${num(p.gatewayCpuUsPerRequest, 0)} | ${ratio(cpuOverFloor(result, p))} | ${p.simulatorCpuUsPerRequest.toFixed(0)} | ${ratio(p.throughputRatio)} | ${ratio(p.cpuRatio)} | ${p.otherCpuPct.toFixed(0)}% |`,
    ),
    '',
    ...tracingLines(result),
  ];
}

/** Scenario 1b: latency added to one call at a time, over the direct call of the same kind. */
function singleCallSection(result: ThroughputResult): string[] {
  const added = (p: PathResult) => addedLatency(result, p);
  return [
    '**1b. One call at a time (c=1), URL mode** — added latency over the direct call (JSON paths vs direct JSON, streams vs direct SSE)',
    '',
    '| path | through | p50 ms | p99 ms | **added p50 ms** | **added p99 ms** | req/s | gateway CPU µs/req | CPU ÷ floor | other load |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...result.phases.map((p) => {
      const a = added(p);
      return (
        `| ${pathLabels[p.path]} | ${p.gateway ?? p.server} | ${p.latencyMs.p50.toFixed(3)} | ${p.latencyMs.p99.toFixed(3)} | ${a === null ? '–' : signedMs(a.p50)} | ${a === null ? '–' : signedMs(a.p99)} | ` +
        `${p.requestsPerSecond.toFixed(0)} | ${num(p.gatewayCpuUsPerRequest, 0)} | ${ratio(cpuOverFloor(result, p))} | ${p.otherCpuPct.toFixed(0)}% |`
      );
    }),
    '',
  ];
}

function signedMs(value: number): string {
  return value >= 0 ? `+${value.toFixed(3)}` : value.toFixed(3);
}

/** Scenario 4: one row per gateway and path, with the difference from the env-only gateway's same path. */
function channelsSection(result: ChannelsResult): string[] {
  const base = (p: PathResult) => result.phases.find((q) => q.server === 'gateway' && q.path === p.path);
  return [
    `**4. Channels, caller quotas and the usage ledger** (URL mode, zero simulator latency, tracing off, ${result.concurrency} concurrent)`,
    '',
    '| gateway | path | req/s | p50 ms | p99 ms | gateway CPU µs/req | Δ CPU µs/req vs env only | Δ p50 ms vs env only |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...result.phases.map((p) => {
      const first = base(p);
      const dCpu = first === undefined || first === p || p.gatewayCpuUsPerRequest === null || first.gatewayCpuUsPerRequest === null ? '–' : signed(Math.round(p.gatewayCpuUsPerRequest - first.gatewayCpuUsPerRequest));
      const dP50 = first === undefined || first === p ? '–' : signed(Number((p.latencyMs.p50 - first.latencyMs.p50).toFixed(2)));
      return `| ${p.server === 'direct' ? 'direct' : (p.gateway ?? p.server)} | ${pathLabels[p.path]} | ${p.requestsPerSecond.toFixed(0)} | ${p.latencyMs.p50.toFixed(2)} | ${p.latencyMs.p99.toFixed(2)} | ${num(p.gatewayCpuUsPerRequest, 0)} | ${dCpu} | ${dP50} |`;
    }),
    '',
    'In process (the core driven directly over an upstream that answers at once, 16 concurrent; CPU of this one process):',
    '',
    '| configuration | CPU µs/call | Δ vs bare core | redis-server CPU µs/call |',
    '|---|---:|---:|---:|',
    ...result.inProcess.map((r) => `| ${r.name} | ${r.cpuUsPerCall.toFixed(1)} | ${r === result.inProcess[0] ? '–' : signed(Number((r.cpuUsPerCall - (result.inProcess[0]?.cpuUsPerCall ?? 0)).toFixed(1)))} | ${num(r.redisCpuUsPerCall, 1)} |`),
    '',
  ];
}

function base64Section(result: ThroughputResult): string[] {
  const first = result.phases[0];
  const per = first === undefined ? '' : ` — ${first.imagesPerRequest} images, ${(first.base64BytesPerRequest / 1e6).toFixed(2)} MB of base64 per answer`;
  return [
    `**2. Base64 relay** (${result.concurrency} concurrent${per}; gRPC carries bytes, counted at their base64 size)`,
    '',
    '| path | req/s | MB/s of base64 | p50 ms | p99 ms | gateway CPU ms/MB | simulator CPU ms/MB | req/s ÷ direct | gateway CPU ÷ simulator CPU | other load |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...result.phases.map(
      (p: PathResult) =>
        `| ${pathLabels[p.path]} | ${p.requestsPerSecond.toFixed(1)} | ${((p.requestsPerSecond * p.base64BytesPerRequest) / 1e6).toFixed(0)} | ` +
        `${p.latencyMs.p50.toFixed(1)} | ${p.latencyMs.p99.toFixed(1)} | ${num(p.gatewayCpuMsPerMb, 2)} | ${num(p.simulatorCpuMsPerMb, 2)} | ` +
        `${ratio(p.throughputRatio)} | ${ratio(p.cpuRatio)} | ${p.otherCpuPct.toFixed(0)}% |`,
    ),
    '',
    ...tracingLines(result),
  ];
}

function streamsSection(result: SlowStreamsResult): string[] {
  const kib = (value: number | null) => (value === null ? '–' : (value / 1024).toFixed(1));
  const row = (label: string, reading: MemoryReading | null) =>
    reading === null ? `| ${label} | not run | – | – |` : `| ${label} | ${kib(reading.rssKb)} | ${kib(reading.heapUsedKb)} | ${reading.fds} |`;
  const n = result.streamsPerTransport;
  const rounds = result.rounds.flatMap((round, i) => [
    row(`round ${i + 1}: + ${n} gRPC StreamImages waiting`, round.grpcWaiting),
    row(`round ${i + 1}: + ${n} REST stream: true waiting`, round.allWaiting),
    row(`round ${i + 1}: all cancelled`, round.after),
  ]);
  const perStream = (rss: number | null, heap: number | null) => (rss === null ? 'not run' : `${rss.toFixed(1)} KiB RSS (${heap === null ? '–' : heap.toFixed(1)} KiB live heap)`);
  const growth = result.heapGrowthPerRequestKb;
  const retained = result.heapRetainedAfterFirstRoundKb;
  return [
    `**3. Slow concurrent streams** (${n} per transport, upstream holding every answer; every reading after a forced full GC)`,
    '',
    '| gateway | RSS MiB | live heap MiB | open fds |',
    '|---|---:|---:|---:|',
    row('idle, warmed up', result.gatewayIdle),
    ...rounds,
    '',
    `Per waiting request (round 1): **gRPC ${perStream(result.kbPerWaitingGrpcStream, result.heapKbPerWaitingGrpcStream)}**, ` +
      `**REST ${perStream(result.kbPerWaitingRestStream, result.heapKbPerWaitingRestStream)}**. ` +
      `After cancelling: gateway fds ${signed(result.fdsLeftAfter)} vs idle, simulator fds ${signed(result.simulatorFdsLeftAfter)} vs idle ` +
      `(upstream requests closed); live heap ${retained === null ? '–' : `${signed(Math.round(retained / 1024))} MiB`} above idle after the first round ` +
      `and ${growth === null ? '–' : `${growth.toFixed(2)} KiB per request`} more after the second (≈ 0: no leak); ` +
      `RSS ${signed(Math.round(result.rssRetainedKb / 1024))} MiB above idle (memory V8 and malloc keep for reuse).`,
    '',
  ];
}

function tracingLines(result: ThroughputResult): string[] {
  return result.tracing.map(
    (t) =>
      `Tracing proof (${t.gateway}): the OTLP sink received ${t.spans} spans for ${t.requests} requests (${t.spansPerRequest.toFixed(2)} per request: ` +
      `${Object.entries(t.spansByName).map(([name, count]) => `${name} ×${count}`).join(', ')}) in ${t.traceExports} trace exports, plus ${t.metricExports} metric exports, ` +
      `${(t.exportedBytes / 1e6).toFixed(1)} MB in all.\n`,
  );
}

function num(value: number | null, digits: number): string {
  return value === null ? '–' : value.toFixed(digits);
}

function ratio(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(2)}×`;
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}
