/**
 * Options of the simulator, their defaults, and the mapping from the gateway's SimulatorConfig
 * (SIMULATOR_* keys of src/config.ts). In-process defaults suit tests and benchmarks: loopback, a free
 * port, no latency.
 */
import type { SimulatorConfig } from '../config.js';
import type { Fault } from './faults.js';

/** How a simulator behaves. Every field is optional. */
export interface SimulatorOptions {
  /** Address to bind; default `127.0.0.1`. */
  readonly host?: string;
  /** Port to bind; default 0 (a free port). */
  readonly port?: number;
  /** The only Bearer key accepted; undefined accepts any non-empty key. */
  readonly apiKey?: string;
  /** Simulated render time per image in ms, in JSON and SSE modes; default 0. */
  readonly latencyMs?: number;
  /** How long image URLs stay valid; default 24 h (reference §2, §5). */
  readonly urlTtlMs?: number;
  /** Largest decoded data-URI reference image; default 10,000,000 bytes (reference §1.4, older docs). */
  readonly maxReferenceImageBytes?: number;
  /** Largest request body; default: room for 14 references at the size limit as base64, plus 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Bytes of rendered images (and their base64) kept in the LRU cache; default 256 MiB. */
  readonly imageCacheBytes?: number;
  /** Live image URLs remembered at most (oldest forgotten first, so memory stays bounded under
   *  benchmark load); default 100,000. */
  readonly maxUrlTokens?: number;
  /** Requests kept in the request log; default 1000 (0 keeps none). */
  readonly requestLogLimit?: number;
  /** Seed for requests without one, instead of a random seed per request (the upstream's behaviour).
   *  Makes identical requests produce identical images — cache hits for b64 benchmarks. */
  readonly fixedSeed?: number;
  /** Base of the image URLs handed out; default the listening URL. */
  readonly publicUrl?: string;
  /** Clock in ms since the epoch (`created`, URL expiry, log times); default Date.now. */
  readonly now?: () => number;
  /** Faults queued from the start. */
  readonly faults?: readonly Fault[];
}

/** Options with every default filled in. */
export type ResolvedSimulatorOptions = Required<Omit<SimulatorOptions, 'apiKey' | 'fixedSeed' | 'publicUrl'>> &
  Pick<SimulatorOptions, 'apiKey' | 'fixedSeed' | 'publicUrl'>;

const DEFAULT_MAX_REFERENCE_BYTES = 10_000_000;
const MAX_REFERENCES = 14;

/** Fills in the defaults. */
export function resolveOptions(options: SimulatorOptions): ResolvedSimulatorOptions {
  const maxReferenceImageBytes = options.maxReferenceImageBytes ?? DEFAULT_MAX_REFERENCE_BYTES;
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    apiKey: options.apiKey,
    latencyMs: options.latencyMs ?? 0,
    urlTtlMs: options.urlTtlMs ?? 24 * 3600_000,
    maxReferenceImageBytes,
    // ⚠ The upstream's body limit for images is undocumented (reference §5): never refuse a body the
    // §1.4 rules allow — 14 data URIs at the size limit (base64 is 4/3 larger), plus 1 MiB for the rest.
    maxBodyBytes: options.maxBodyBytes ?? Math.ceil((MAX_REFERENCES * maxReferenceImageBytes * 4) / 3) + 1024 * 1024,
    imageCacheBytes: options.imageCacheBytes ?? 256 * 1024 * 1024,
    maxUrlTokens: options.maxUrlTokens ?? 100_000,
    requestLogLimit: options.requestLogLimit ?? 1000,
    fixedSeed: options.fixedSeed,
    publicUrl: options.publicUrl,
    now: options.now ?? Date.now,
    faults: options.faults ?? [],
  };
}

/** Simulator options from the gateway's configuration (standalone `npm run simulator`, embedded default). */
export function simulatorOptionsFromConfig(config: SimulatorConfig): SimulatorOptions {
  return {
    host: config.host,
    port: config.port,
    apiKey: config.apiKey,
    latencyMs: config.latencyMs,
    urlTtlMs: config.urlTtlMs,
    ...(config.fixedSeed !== undefined && { fixedSeed: config.fixedSeed }),
  };
}
