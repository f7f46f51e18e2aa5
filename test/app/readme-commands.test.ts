/**
 * The README and docs/ as written: every command line of every `sh` block must be claimed by one rule
 * below — run here, against a gateway this test starts with the README's own start command — or name
 * where else it runs and why not here. A new or changed command that no rule claims fails the test, so
 * the docs cannot drift from what works. Ports are the only thing rewritten (the docs use the defaults;
 * the test binds free ones), plus output directories, which go to a temporary folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../helpers/built-entry.js';
import { referenceImageDataUri } from '../helpers/simulator.js';

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** One logical command (continuation lines joined) with where it was found. */
interface Command {
  readonly file: string;
  readonly text: string;
  /** `export` lines before it in the same block, which a shell running the block would have applied. */
  readonly exports: readonly string[];
}

function commandsOf(file: string): Command[] {
  const out: Command[] = [];
  const blocks = readFileSync(join(ROOT, file), 'utf8').matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm);
  for (const [, body = ''] of blocks) {
    const exports: string[] = [];
    let pending = '';
    for (const line of body.replace(/\\\n\s*/g, ' ').split('\n')) {
      // A single-quoted argument may span lines (a pretty-printed JSON body): keep reading until it closes.
      pending = pending === '' ? line.trim() : `${pending}\n${line}`;
      if ((pending.match(/'/g)?.length ?? 0) % 2 === 1) continue;
      const text = pending;
      pending = '';
      if (text === '' || text.startsWith('#')) continue;
      out.push({ file, text, exports: [...exports] });
      if (text.startsWith('export ')) exports.push(text);
    }
  }
  return out;
}

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const commands = docs.flatMap(commandsOf);

/** A code example in another language (json blocks are sample output, not code). */
interface Example {
  readonly file: string;
  readonly lang: 'js' | 'ts' | 'python';
  readonly code: string;
}
const examples: Example[] = docs.flatMap((file) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^```(js|ts|python)\n([\s\S]*?)^```/gm)].map(([, lang, code]) => ({ file, lang: lang as Example['lang'], code: code ?? '' })),
);
type ExampleRule = { readonly run: 'node' | 'vitest' } | { readonly elsewhere: string };
/** First match wins: language and a pattern of the code. */
const exampleRules: ReadonlyArray<readonly [Example['lang'], RegExp, ExampleRule]> = [
  ['js', /^import OpenAI/, { run: 'node' }],
  ['ts', /client\.streamImages\(\{ spec \}/, { run: 'vitest' }],
  ['ts', /errorDetailsClientMiddleware/, { elsewhere: 'a fragment (`request` is the reader\'s); test/helpers/grpc-app.ts builds the same client and test/grpc/errors.test.ts decodes the details' }],
  ['ts', /createSimulator\(|startSimulator\(/, { elsewhere: 'the in-process simulator API, used this way by test/helpers/simulator.ts and every simulator test' }],
  ['python', /from openai import OpenAI/, { elsewhere: 'the Python openai package is not installable from the registries this project uses (npm, Debian bookworm); the same request runs from the Node SDK in test/rest/openai-sdk.test.ts' }],
];
const exampleRuleOf = (example: Example) => exampleRules.find(([lang, pattern]) => lang === example.lang && pattern.test(example.code))?.[2];

type Rule = { readonly run: 'gateway' | 'shell' | 'simulator' | 'gateway-on-simulator' } | { readonly elsewhere: string };
const notInstallable = 'not installable from the registries this project uses (npm, Debian bookworm)';
/** First match wins. */
const rules: ReadonlyArray<readonly [RegExp, Rule]> = [
  [/^npm ci && npm start/, { run: 'gateway' }],
  [/^npm ci && npm test$/, { elsewhere: '.ci/run runs it: it is the command that runs this test' }],
  [/^npm run client -- "<prompt>"/, { elsewhere: 'a usage synopsis with placeholders, not a command' }],
  [/^npm run client -- /, { run: 'shell' }],
  [/^curl .*localhost:8080/, { run: 'shell' }],
  [/^JOB=\$\(curl .*localhost:8080/, { run: 'shell' }],
  [/^export SEEDREAM_API_KEY=/, { run: 'shell' }],
  [/^printf %s 'sk-my-caller-key' \| sha256sum/, { run: 'shell' }],
  [/^(export ARK_API_KEY=…|export GATEWAY_API_KEYS=|npm start$)/, { elsewhere: 'needs a real Ark key; test/app/startup.test.ts starts the built gateway with hashed caller keys and refuses open mode against a keyed upstream' }],
  [/^GATEWAY_API_KEYS="billing=<hex>/, { elsewhere: 'placeholders; hashed keys are tested in test/auth/api-keys.test.ts and test/app/startup.test.ts' }],
  [/^grpcurl /, { elsewhere: `${notInstallable}; the same list / describe / call from reflection alone runs in test/grpc/reflection.test.ts and, with Python's strict pool, test/contract/stubs.test.ts` }],
  [/^grpc_health_probe /, { elsewhere: `${notInstallable}; test/grpc/reflection.test.ts calls grpc.health.v1.Health/Check from reflected descriptors` }],
  [/^(mkdir -p out && )?protoc -I proto /, { run: 'shell' }],
  [/^buf generate --template your\.buf\.gen\.yaml/, { elsewhere: 'a placeholder for the reader\'s own template; `npm test` runs buf generate (scripts/check-gen-drift.sh)' }],
  [/^npm run gen\b/, { elsewhere: 'scripts/check-gen-drift.sh (npm test) runs the same buf generate into a temporary folder' }],
  [/^npm run simulator &$/, { run: 'simulator' }],
  [/^GATEWAY_ALLOW_OPEN=true UPSTREAM_KIND=ark ARK_BASE_URL=http:\/\/127\.0\.0\.1:18080\/api\/v3 ARK_API_KEY=anything npm start$/, { run: 'gateway-on-simulator' }],
  [/^(SIMULATOR_PORT=0 SIMULATOR_LATENCY_MS=0 )?npm run simulator\b/, { elsewhere: 'the same entry point (dist/src/simulator/main.js with SIMULATOR_* settings) runs in test/simulator/standalone.test.ts; `npm run simulator &` runs here' }],
  [/^curl -s (-XPOST )?localhost:18080\/_simulator\//, { run: 'shell' }],
];

function ruleOf(command: Command): Rule | undefined {
  return rules.find(([pattern]) => pattern.test(command.text))?.[1];
}

describe('every command in README.md and docs/', () => {
  it('is claimed by a rule (run here, or run elsewhere for a stated reason)', () => {
    const unclaimed = [
      ...commands.filter((c) => ruleOf(c) === undefined).map((c) => `${c.file}: ${c.text}`),
      ...examples.filter((e) => exampleRuleOf(e) === undefined).map((e) => `${e.file}: ${e.lang} ${e.code.slice(0, 80)}`),
    ];
    expect(unclaimed).toEqual([]);
    // The extraction itself works: the quick start's commands are found.
    expect(commands.map((c) => c.text)).toEqual(expect.arrayContaining([expect.stringMatching(/^npm ci && npm start/), expect.stringMatching(/^curl -sS http:\/\/localhost:8080/)]));
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A long-running command in its own process group, so stopping it stops npm and its node child. */
function startBackground(command: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn('bash', ['-c', command], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

function stop(child: ChildProcess | undefined): void {
  if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
}

async function waitUntil(what: string, check: () => Promise<boolean>, output: () => string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not come up; output:\n${output()}`);
}

const ready = (httpPort: number) => async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok;

/** Runs one shell command to its end; resolves with its exit code and output. */
function runShell(command: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the commands, run', () => {
  const work = mkdtempSync(join(tmpdir(), 'readme-'));
  const ports = { grpc: 0, http: 0, simulator: 0, grpc2: 0, http2: 0 };
  const background: ChildProcess[] = [];
  let gatewayOutput = () => '';

  beforeAll(async () => {
    ensureBuilt('dist/src/main.js');
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    // `out` of the protoc lines and `./images` of the client land in the temporary folder.
    symlinkSync(join(ROOT, 'proto'), join(work, 'proto'));
    const start = commands.find((c) => ruleOf(c) !== undefined && 'run' in (ruleOf(c) ?? {}) && (ruleOf(c) as { run: string }).run === 'gateway');
    if (start === undefined) throw new Error('the README lost its start command');
    // `npm ci` is CI's install step (.ci/run); the rest of the line starts the gateway as documented.
    // Hosted images (DATA_DIR, ./data by default) land in the temporary folder too.
    const gateway = startBackground(start.text.replace(/^npm ci && /, ''), { HOST: '127.0.0.1', GRPC_PORT: String(ports.grpc), HTTP_PORT: String(ports.http), DATA_DIR: join(work, 'data') });
    background.push(gateway.child);
    gatewayOutput = gateway.output;
    await waitUntil('the gateway from `npm start`', ready(ports.http), gateway.output);
  }, 240_000);

  afterAll(() => {
    for (const child of background) stop(child);
    rmSync(work, { recursive: true, force: true });
  });

  /** The docs' default ports → the ones bound here; `./images` → the temporary folder. */
  const localize = (text: string) =>
    text
      .replaceAll('localhost:8080', `127.0.0.1:${ports.http}`)
      .replaceAll('localhost:50051', `127.0.0.1:${ports.grpc}`)
      .replaceAll('127.0.0.1:18080', `127.0.0.1:${ports.simulator}`)
      .replaceAll('localhost:18080', `127.0.0.1:${ports.simulator}`)
      .replaceAll('--out ./images', `--out ${join(work, 'images')}`)
      .replaceAll("readFile('photo.png')", `readFile(${JSON.stringify(join(work, 'photo.png'))})`)
      .replaceAll("from './gen/", `from '${ROOT}/gen/`);

  const shellCommands = commands.filter((c) => {
    const rule = ruleOf(c);
    return rule !== undefined && 'run' in rule && rule.run === 'shell' && !c.text.includes('18080');
  });

  // Tools some commands need. CI installs them (.ci/run, REQUIRE_STUB_GENERATORS=1); locally a command
  // whose tool is missing is skipped, with the tool named.
  const toolsOf = (text: string) =>
    ['curl', 'jq', 'protoc', 'protoc-gen-go', 'protoc-gen-go-grpc', 'grpc_python_plugin', 'grpc_cpp_plugin'].filter((tool) =>
      tool === 'protoc-gen-go' ? text.includes('--go_out') : tool === 'protoc-gen-go-grpc' ? text.includes('--go-grpc_out') : new RegExp(`(^|[\\s|(])${tool}\\b`).test(text),
    );
  const missingTools = (text: string) => toolsOf(text).filter((tool) => spawnSync('bash', ['-c', `command -v ${tool}`]).status !== 0);
  const required = process.env.REQUIRE_STUB_GENERATORS === '1';

  it.each(shellCommands.map((c) => [`${c.file}: ${c.text.slice(0, 90)}`, c] as const))('%s', async (_name, command) => {
    const missing = missingTools(command.text);
    if (missing.length > 0 && !required) {
      console.warn(`skipped locally (missing ${missing.join(', ')}): ${command.text}`);
      return;
    }
    const script = [...command.exports, localize(command.text)].join('\n');
    const cwd = /^npm /.test(command.text) ? ROOT : work;
    const result = await runShell(script, cwd, { SEEDREAM_GATEWAY_ADDRESS: `127.0.0.1:${ports.grpc}` });
    expect(result.code, `${result.stderr}\n${result.stdout}\ngateway:\n${gatewayOutput().slice(-2000)}`).toBe(0);
    if (command.text.startsWith('curl')) expect(JSON.parse(result.stdout)).toMatchObject({ data: [{ url: expect.stringMatching(/^http/) }] });
    // The job flow: its event log (SSE) ends with the terminal state, then the job's stored result.
    if (command.text.startsWith('JOB=')) {
      expect(result.stdout).toContain('event: completed');
      expect(JSON.parse(result.stdout.slice(result.stdout.lastIndexOf('\n{') + 1))).toMatchObject({ data: [{ url: expect.stringMatching(/^http/) }] });
    }
    if (command.text.startsWith('printf')) expect(result.stdout).toMatch(/^[0-9a-f]{64}\s/);
    if (command.text.startsWith('npm run client')) expect(readdirSync(join(work, 'images')).length).toBeGreaterThan(0);
  }, 180_000);

  const runnable = (rule: ExampleRule) => examples.filter((e) => exampleRuleOf(e) === rule);
  const byRun = (run: 'node' | 'vitest') => exampleRules.filter(([, , rule]) => 'run' in rule && rule.run === run).flatMap(([, , rule]) => runnable(rule));

  it.each(byRun('node').map((e, i) => [`${e.file}: js example ${i + 1}`, e] as const))('%s runs with node', async (_name, example) => {
    writeFileSync(join(work, 'photo.png'), Buffer.from(referenceImageDataUri().split(',')[1] ?? '', 'base64'));
    // From the repository root, so `import … from 'openai'` resolves as in a project that installed it.
    const result = await runShell(`node --input-type=module -e ${shellQuote(localize(example.code))}`, ROOT, { SEEDREAM_API_KEY: 'local' });
    expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);
    expect(result.stdout).toMatch(/http:\/\/127\.0\.0\.1:\d+\/|image_generation\.completed/);
  }, 180_000);

  it.each(byRun('vitest').map((e, i) => [`${e.file}: ts example ${i + 1}`, e] as const))('%s runs as TypeScript', async (_name, example) => {
    // Inside the repository (dist/ is ignored by git), so its packages resolve; imports of gen/ made absolute.
    const dir = join(ROOT, 'dist', 'readme-examples');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `example-${process.pid}-${Date.now()}.ts`);
    writeFileSync(path, `${localize(example.code)}\nexport {};\n`);
    const logged: unknown[][] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void logged.push(args);
    try {
      await import(path);
    } finally {
      console.log = original;
      rmSync(path, { force: true });
    }
    expect(logged.length).toBeGreaterThan(1);
  }, 180_000);

  it('the Simulator section: a standalone simulator, a gateway in front of it, and its fault and request-log endpoints', async () => {
    const section = commands.filter((c) => {
      const rule = ruleOf(c);
      return rule !== undefined && 'run' in rule && (rule.run === 'simulator' || rule.run === 'gateway-on-simulator');
    });
    expect(section.map((c) => ('run' in (ruleOf(c) ?? {}) ? (ruleOf(c) as { run: string }).run : ''))).toEqual(['simulator', 'gateway-on-simulator']);
    const [simulatorLine, gatewayLine] = section;
    const simulator = startBackground(localize(simulatorLine?.text.replace(/&$/, '') ?? ''), { SIMULATOR_PORT: String(ports.simulator), SIMULATOR_HOST: '127.0.0.1' });
    background.push(simulator.child);
    await waitUntil('`npm run simulator`', async () => simulator.output().includes('Seedream simulator listening on'), simulator.output);
    const gateway = startBackground(localize(gatewayLine?.text ?? ''), { HOST: '127.0.0.1', GRPC_PORT: String(ports.grpc2), HTTP_PORT: String(ports.http2), DATA_DIR: join(work, 'data2') });
    background.push(gateway.child);
    await waitUntil('the gateway in front of the standalone simulator', ready(ports.http2), gateway.output);

    const generated = await fetch(`http://127.0.0.1:${ports.http2}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'doubao-seedream-4-5', prompt: 'a lighthouse' }),
    });
    expect(generated.status).toBe(200);

    for (const command of commands.filter((c) => c.text.includes('localhost:18080'))) {
      const missing = missingTools(command.text);
      if (missing.length > 0 && !required) {
        console.warn(`skipped locally (missing ${missing.join(', ')}): ${command.text}`);
        continue;
      }
      const result = await runShell(localize(command.text), work, {});
      expect(result.code, `${command.text}\n${result.stderr}`).toBe(0);
      expect(result.stdout.trim()).not.toBe('');
    }
    stop(gateway.child);
    stop(simulator.child);
  }, 300_000);
});
