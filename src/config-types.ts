/**
 * The shape of the gateway's configuration, as `loadConfig` (src/config.ts) returns it: frozen, fully
 * validated, every default applied. Each value's env variable is documented in src/config-keys.ts.
 */
import type { ModelKey, Region } from './models/types.js';
import type { PriceOverride } from './models/pricing.js';
import type { ChannelConfig, RoutingConfig } from './channels/types.js';
import type { CallerLimits, StoreConfig } from './limits/types.js';

/** A caller key: its name (for logs and metrics) and the SHA-256 of the key itself. */
export interface ApiKeyEntry {
  readonly name: string;
  readonly sha256: Buffer;
  /** May read every caller's usage (config file `role: admin`). */
  readonly admin?: boolean;
  /** Quotas of this key (config file); absent = only the global limits. */
  readonly limits?: CallerLimits;
}

export type UpstreamConfig =
  | { readonly kind: 'simulator'; readonly region: Region }
  | {
      readonly kind: 'ark';
      readonly baseUrl: string;
      readonly apiKey: string;
      readonly region: Region;
      /** Model key → Ark endpoint id (`ep-…`) sent instead of the model id. */
      readonly endpointIds: Readonly<Partial<Record<ModelKey, string>>>;
    }
  | { readonly kind: 'openai-compatible'; readonly baseUrl: string; readonly apiKey: string; readonly region: Region };

export interface Config {
  readonly server: {
    readonly host: string;
    readonly grpcPort: number;
    readonly httpPort: number;
    readonly shutdownGraceMs: number;
    readonly grpcMaxReceiveMessageBytes: number;
    readonly grpcKeepaliveTimeMs: number;
    readonly grpcKeepaliveTimeoutMs: number;
    readonly grpcMaxConcurrentStreams: number;
    readonly grpcMaxConnectionAgeMs: number | undefined;
    /** HTTP/2 receive window granted to gRPC clients (connection and stream). */
    readonly grpcReceiveWindowBytes: number;
    readonly httpBodyLimitBytes: number;
    /** Bounds on untrusted bytes, connections and time (DESIGN §9). */
    readonly requestBodyBudgetBytes: number;
    readonly httpRequestTimeoutMs: number;
    readonly httpKeepAliveTimeoutMs: number;
    readonly httpMaxConnections: number;
    readonly grpcMaxConnections: number;
    readonly grpcMessageTimeoutMs: number;
    readonly grpcMaxConnectionIdleMs: number;
    readonly maxCallDurationMs: number;
    readonly shutdownDrainWindowMs: number;
  };
  readonly auth: {
    readonly keys: readonly ApiKeyEntry[];
    /** Whether running without keys against a real upstream is allowed. */
    readonly allowOpen: boolean;
  };
  readonly upstream: UpstreamConfig;
  readonly upstreamHttp: {
    readonly timeoutMs: number;
    readonly connectTimeoutMs: number;
    readonly maxConnections: number;
    readonly deadlineMarginMs: number;
    readonly preferStreaming: boolean;
    readonly maxResponseBytes: number;
    readonly maxSseFrameBytes: number;
  };
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly limits: {
    readonly maxN: number;
    readonly maxImagesPerRequest: number;
    readonly promptMaxChars: number;
    readonly maxReferenceImageBytes: number;
    readonly fanoutConcurrency: number;
    readonly maxConcurrentGenerations: number;
    readonly maxConcurrentGenerationsPerKey: number;
  };
  readonly heartbeatIntervalMs: number;
  readonly pricing: { readonly currency: string; readonly overrides: Readonly<Partial<Record<ModelKey, PriceOverride>>> };
  readonly simulator: SimulatorConfig;
  readonly hosting: ImageHostingConfig;
  /** Durable generations: idempotency keys, jobs, webhooks (DESIGN §10). */
  readonly jobs: JobsConfig;
  readonly telemetry: TelemetryConfig;
  readonly logLevel: LogLevel;
  /** Channels, routing, caller quotas' store (DESIGN §12): from GATEWAY_CONFIG_FILE, or the env-configured
   *  upstream as the one channel. */
  readonly channels: readonly ChannelConfig[];
  readonly routing: RoutingConfig;
  readonly store: StoreConfig;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface SimulatorConfig {
  readonly host: string;
  readonly port: number;
  /** Accepted key; undefined = any non-empty key. */
  readonly apiKey: string | undefined;
  readonly latencyMs: number;
  readonly urlTtlMs: number;
  /** Seed for requests without one; undefined = random per request (as upstream). */
  readonly fixedSeed: number | undefined;
}

export interface TelemetryConfig {
  readonly serviceName: string;
  readonly disabled: boolean;
  /** OTLP/HTTP traces URL; undefined = no trace export. */
  readonly tracesEndpoint: string | undefined;
  /** OTLP/HTTP metrics URL; undefined = no metric export. */
  readonly metricsEndpoint: string | undefined;
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly headers: Readonly<Record<string, string>>;
  readonly metricExportIntervalMs: number;
  /** Port of the Prometheus scrape endpoint; undefined = off. */
  readonly prometheusPort: number | undefined;
  readonly capturePrompts: boolean;
}

/** Hosted images (DESIGN §11): where they are stored, how long they live, and what may be fetched. */
export interface ImageHostingConfig {
  readonly store: AssetStoreConfig;
  readonly retentionMs: number;
  /** Store inline (b64/bytes) answers too. */
  readonly storeInline: boolean;
  readonly fetch: {
    /** Hosts upstream images may be downloaded from (`host`, `host:port`, `*.domain`); the embedded
     *  simulator's own address is added at boot. */
    readonly allowedHosts: readonly string[];
    readonly maxBytes: number;
    readonly timeoutMs: number;
  };
}

export type AssetStoreConfig =
  | { readonly kind: 'off' }
  | {
      readonly kind: 'local';
      readonly dataDir: string;
      /** undefined = a random key at boot (URLs die with the process). */
      readonly signingKey: Buffer | undefined;
      readonly diskCapBytes: number;
      /** undefined = the REST server's bound address. */
      readonly publicBaseUrl: string | undefined;
    }
  | {
      readonly kind: 's3';
      readonly endpoint: string | undefined;
      readonly region: string;
      readonly bucket: string;
      readonly prefix: string;
      readonly forcePathStyle: boolean;
      /** undefined = the AWS SDK's default credential chain. */
      readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
      /** undefined = presigned GET URLs. */
      readonly publicBaseUrl: string | undefined;
    };

/** Durable generations (DESIGN §10): where jobs live and how their webhooks are sent. */
export interface JobsConfig {
  readonly store: { readonly kind: 'memory' } | { readonly kind: 'redis'; readonly url: string; readonly keyPrefix: string };
  /** How long a job, its events and its idempotency key are kept (ms). */
  readonly retentionMs: number;
  readonly leaseMs: number;
  readonly sweepIntervalMs: number;
  readonly webhooks: {
    /** CIDR ranges webhooks may reach although special-purpose (loopback, private…). */
    readonly allowedCidrs: readonly string[];
    readonly allowHttp: boolean;
    readonly maxAttempts: number;
    readonly timeoutMs: number;
    /** Caller key name → `whsec_` signing secret. */
    readonly secrets: ReadonlyMap<string, string>;
    /** Caller key name → webhook URL of jobs that name none. */
    readonly defaultUrls: ReadonlyMap<string, string>;
  };
}
