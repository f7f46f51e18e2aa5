/**
 * Starts the REST adapter on 127.0.0.1:0 over a real ImageGenerator, with either a scripted upstream
 * (precise tests: recorded calls and abort reasons) or the Seedream simulator behind the real Ark client
 * (wire-faithful happy paths). Log lines are kept in memory for assertions.
 */
import { Writable } from 'node:stream';
import { createKeyVerifier, hashApiKey } from '../../../src/auth/api-keys.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { createLifecycle, type Lifecycle } from '../../../src/lifecycle.js';
import { createRestServer, type RestServer } from '../../../src/rest/server.js';
import { createImageGenerator } from '../../../src/service/image-generator.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { createUpstream } from '../../../src/upstream/create-upstream.js';
import type { ImageUpstream } from '../../../src/upstream/types.js';
import { scriptedUpstream, type Script, type ScriptedUpstream } from '../../helpers/scripted-upstream.js';
import { startSimulator, type TestSimulator } from '../../helpers/simulator.js';

/** The caller key the harness accepts. */
export const API_KEY = 'sk-rest-test-key';

export interface RestHarness {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly server: RestServer;
  readonly config: Config;
  readonly lifecycle: Lifecycle;
  /** Parsed log lines written so far. */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra gateway env (HEARTBEAT_INTERVAL_MS, HTTP_BODY_LIMIT_BYTES, …). */
  readonly env?: Record<string, string>;
  /** Run open (no key required). */
  readonly open?: boolean;
  /** Clock for `created`. */
  readonly now?: () => number;
}

async function start(upstream: ImageUpstream, options: HarnessOptions, onClose: () => Promise<void>): Promise<RestHarness> {
  const config = loadConfig({ HEARTBEAT_INTERVAL_MS: '0', RETRY_BASE_DELAY_MS: '1', RETRY_MAX_DELAY_MS: '5', ...options.env });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const keys = createKeyVerifier([{ name: 'test', sha256: Buffer.from(hashApiKey(API_KEY), 'hex') }], { open: options.open === true });
  const lifecycle = createLifecycle();
  const generator = createImageGenerator({ upstream, config, region: 'cn' });
  const server = createRestServer({ generator, keys, config, lifecycle, logger, ...(options.now && { now: options.now }) });
  const { port } = await server.listen('127.0.0.1', 0);
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    config,
    lifecycle,
    logs,
    async close() {
      await server.close();
      await upstream.close();
      await onClose();
    },
  };
}

/** The adapter over a scripted upstream. */
export async function startScripted(script: Script, options: HarnessOptions = {}): Promise<RestHarness & { upstream: ScriptedUpstream }> {
  const upstream = scriptedUpstream(script);
  const harness = await start(upstream, options, async () => undefined);
  return { ...harness, upstream };
}

/** The adapter over the simulator and the real Ark client. */
export async function startWithSimulator(options: HarnessOptions = {}): Promise<RestHarness & { simulator: TestSimulator }> {
  const simulator = await startSimulator();
  const config = loadConfig({});
  const upstream = createUpstream({ kind: 'simulator', region: 'cn' }, config.upstreamHttp, {
    simulatorUrl: simulator.url,
    simulatorApiKey: simulator.apiKey,
  });
  const harness = await start(upstream, options, () => simulator.close());
  return { ...harness, simulator };
}
