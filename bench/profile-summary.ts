/**
 * Summarises a V8 `.cpuprofile` (from `BENCH_CPU_PROF=<dir> npm run bench`, or `node --cpu-prof`):
 * where the CPU went by package or source file, the top functions by self time, and the top functions
 * of the gateway's own code by inclusive time.
 *
 *   node dist/bench/profile-summary.js <file.cpuprofile> [top=25] [callers-of=<function name>]
 *
 * With a function name, it also lists the call stacks (up to 10 frames) that spent the most time in it.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Idle time is not CPU: the process waited in epoll. */
const IDLE = new Set(['(idle)']);

function main(): void {
  const [file, topArg, callersOf] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top] [function name]\n');
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const self = new Map<string, number>();
  const selfByCategory = new Map<string, number>();
  const selfByGroup = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const stacks = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    if (node === undefined || IDLE.has(node.callFrame.functionName)) return;
    busy += delta;
    add(self, functionKey(node.callFrame), delta);
    add(selfByGroup, groupOf(node.callFrame), delta);
    add(selfByCategory, categoryOf(node.callFrame), delta);
    if (callersOf !== undefined) {
      const path: string[] = [];
      let inside = false;
      for (let at: number | undefined = id; at !== undefined && path.length < 10; at = parentOf.get(at)) {
        const frame = byId.get(at)?.callFrame;
        if (frame === undefined) break;
        inside ||= frame.functionName === callersOf;
        if (inside) path.push(functionKey(frame));
      }
      if (inside) add(stacks, path.join('\n           ← '), delta);
    }
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined || !isOwnCode(frame)) continue;
      const key = functionKey(frame);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, delta);
      }
    }
  });

  out.push(`${file}\nbusy CPU in profile: ${(busy / 1000).toFixed(0)} ms (idle excluded)\n`);
  print('self time by category', selfByCategory, busy, top);
  print('self time by package / file', selfByGroup, busy, top);
  print('self time by function', self, busy, top);
  print('inclusive time, gateway code (dist/src, dist/gen)', inclusive, busy, top);
  if (callersOf !== undefined) print(`call stacks through ${callersOf}`, stacks, busy, Math.min(top, 10));
  process.stdout.write(out.join(''));
}

/** Output, written at once at the end. */
const out: string[] = [];

function functionKey(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return frame.url === '' ? name : `${name}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

/** npm package for dependencies, repository path for our code, the node: module for Node internals. */
function groupOf(frame: CallFrame): string {
  const url = frame.url;
  if (url === '') return frame.functionName; // (garbage collector), (program), native
  const nodeModules = url.lastIndexOf('/node_modules/');
  if (nodeModules !== -1) {
    const parts = url.slice(nodeModules + 14).split('/');
    return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 3).join('/');
  return shortUrl(url);
}

/** Rough buckets for reading a gateway profile: whose code the CPU ran. */
const categories: readonly (readonly [RegExp, string])[] = [
  [/\/dist\/(src|gen)\//, 'gateway code (dist/src, dist/gen)'],
  [/\/dist\/bench\//, 'floor (dist/bench/floor)'],
  [/@opentelemetry\//, 'OpenTelemetry SDK'],
  [/@grpc\/|nice-grpc|abort-controller-x|node:internal\/http2/, 'gRPC server (grpc-js, nice-grpc, node http2)'],
  [/\/undici\//, 'upstream HTTP client (undici)'],
  [/fastify|find-my-way|avvio|light-my-request|node:_http|node:internal\/http/, 'REST server (fastify, node:http)'],
  [/\/pino|sonic-boom|^writeString$/, 'logging (pino → stdout)'],
  [/\/zod\//, 'validation (zod)'],
  [/@bufbuild\/protobuf|protobufjs/, 'protobuf encoding'],
  [/node:internal\/async_hooks|node:async_hooks|^promiseInitHook$/, 'async context (async_hooks, AsyncLocalStorage)'],
  [/node:internal\/abort_controller|node:internal\/event_target|node:events/, 'AbortSignal and events'],
  [/node:internal\/modules|^wrapSafe$|^compileSourceTextModule$/, 'module loading (start-up)'],
  [/node:buffer|node:internal\/buffer|^base64Write$|^utf8Write$/, 'Buffer copies and conversions'],
  [/node:internal\/streams|node:internal\/stream_base_commons|^writev$|^writeUtf8String$|^writeBuffer$|node:net/, 'streams and socket writes'],
  [/^\(garbage collector\)$/, 'garbage collector'],
  [/^\(program\)$|^runMicrotasks$|node:internal\/process\/task_queues|node:internal\/timers/, 'event loop, microtasks, timers'],
];

function categoryOf(frame: CallFrame): string {
  const subject = frame.url === '' ? frame.functionName : frame.url;
  for (const [pattern, name] of categories) if (pattern.test(subject)) return name;
  return frame.url === '' ? 'other native' : 'other';
}

function isOwnCode(frame: CallFrame): boolean {
  return frame.url.includes('/dist/src/') || frame.url.includes('/dist/gen/');
}

function shortUrl(url: string): string {
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  const nodeModules = url.lastIndexOf('/node_modules/');
  return nodeModules !== -1 ? url.slice(nodeModules + 14) : url;
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function print(title: string, map: Map<string, number>, busy: number, top: number): void {
  out.push(`\n${title}\n`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    out.push(`  ${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}\n`);
  }
}

main();
