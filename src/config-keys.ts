/**
 * Every environment variable the gateway reads: its schema, default and meaning. src/config.ts turns the
 * parsed values into the Config; README's configuration table documents exactly these keys.
 */
import { z } from 'zod';
import { modelKeys } from './models/catalog.js';
import type { ModelKey } from './models/types.js';
import type { PriceOverride } from './models/pricing.js';

/** One documented key, for README and the test that keeps README complete. */
export interface ConfigKeyDoc {
  readonly env: string;
  readonly default: string;
  readonly description: string;
}

const docs: ConfigKeyDoc[] = [];

/** Registers a key's documentation and returns its schema. Blank values count as unset. */
function key<T extends z.ZodType>(env: string, defaultText: string, description: string, schema: T) {
  docs.push({ env, default: defaultText, description });
  return z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);
}

const int = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message }).int({ message }).min(min, { message }).max(max, { message });
};
const port = int(0, 65535);
const ms = (max = 24 * 3600_000) => int(0, max);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

const apiKeysSchema = z.string().transform((text, ctx) => {
  const entries: { name: string; sha256: Buffer }[] = [];
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  for (const [position, part] of parts.entries()) {
    const match = /^([A-Za-z0-9._-]{1,64})[=:]([0-9a-fA-F]{64})$/.exec(part);
    if (match === null) {
      // Name the entry by position only: a plaintext key pasted here by mistake must not reach the log.
      ctx.addIssue({ code: 'custom', message: `entry ${position + 1} is not name=<SHA-256 hex of the key>` });
      continue;
    }
    entries.push({ name: match[1] as string, sha256: Buffer.from(match[2] as string, 'hex') });
  }
  return entries;
});

const modelKeyEnum = z.enum(modelKeys as [ModelKey, ...ModelKey[]]);

const endpointIdsSchema = z.string().transform((text, ctx) => {
  const map: Partial<Record<ModelKey, string>> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, id] = part.split('=').map((s) => s.trim());
    const parsedKey = modelKeyEnum.safeParse(name);
    if (!parsedKey.success || id === undefined || !/^ep-[A-Za-z0-9-]+$/.test(id)) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not <model key>=ep-<endpoint id> (keys: ${modelKeys.join(', ')})` });
      continue;
    }
    map[parsedKey.data] = id;
  }
  return map;
});

const priceOverrideSchema = z
  .object({
    perImage: z.number().nonnegative(),
    large: z.object({ minPixels: z.number().int().positive(), perImage: z.number().nonnegative() }).strict().optional(),
    perReferenceImage: z.number().nonnegative().optional(),
  })
  .strict();

const modelPricesSchema = z.string().transform((text, ctx) => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON such as {"seedream_4_5":{"perImage":0.04}}' });
    return z.NEVER;
  }
  const parsed = z.partialRecord(modelKeyEnum, priceOverrideSchema).safeParse(json);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: `invalid price table: ${parsed.error.issues[0]?.message ?? 'bad shape'}` });
    return z.NEVER;
  }
  const out: Partial<Record<ModelKey, PriceOverride>> = {};
  for (const [model, price] of Object.entries(parsed.data) as [ModelKey, z.infer<typeof priceOverrideSchema>][]) {
    out[model] = {
      perImageMicros: Math.round(price.perImage * 1e6),
      ...(price.large && {
        large: { minPixels: price.large.minPixels, perImageMicros: Math.round(price.large.perImage * 1e6) },
      }),
      ...(price.perReferenceImage !== undefined && { perReferenceImageMicros: Math.round(price.perReferenceImage * 1e6) }),
    };
  }
  return out;
});

const otlpHeadersSchema = z.string().transform((text, ctx) => {
  const headers: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      ctx.addIssue({ code: 'custom', message: 'must be key=value pairs separated by commas' });
      continue;
    }
    headers[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return headers;
});

/** The schema of the whole environment; unknown variables are ignored. */
export const envSchemaKeys = z.object({
  // Servers
  HOST: key('HOST', '0.0.0.0', 'Address the gRPC and HTTP servers listen on.', z.string().default('0.0.0.0')),
  GRPC_PORT: key('GRPC_PORT', '50051', 'Port of the gRPC server (0 = any free port).', port.default(50051)),
  HTTP_PORT: key('HTTP_PORT', '8080', 'Port of the REST adapter, health and readiness endpoints (0 = any free port).', port.default(8080)),
  SHUTDOWN_GRACE_MS: key('SHUTDOWN_GRACE_MS', '30000', 'On SIGTERM/SIGINT, after the drain window, how long in-flight calls may finish before they are ended with SHUTTING_DOWN.', ms().default(30_000)),
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: key('GRPC_MAX_RECEIVE_MESSAGE_BYTES', '14 × MAX_REFERENCE_IMAGE_BYTES + 1 MiB', 'Largest gRPC request message accepted (RESOURCE_EXHAUSTED above it).', int(1024, 2 ** 31 - 1).optional()),
  GRPC_KEEPALIVE_TIME_MS: key('GRPC_KEEPALIVE_TIME_MS', '60000', 'Interval of server keepalive pings on idle gRPC connections.', ms().default(60_000)),
  GRPC_KEEPALIVE_TIMEOUT_MS: key('GRPC_KEEPALIVE_TIMEOUT_MS', '20000', 'How long to wait for a keepalive ping acknowledgement before closing the connection.', ms().default(20_000)),
  GRPC_MAX_CONCURRENT_STREAMS: key('GRPC_MAX_CONCURRENT_STREAMS', '100', 'Concurrent calls allowed per gRPC connection.', int(1, 1_000_000).default(100)),
  GRPC_RECEIVE_WINDOW_BYTES: key('GRPC_RECEIVE_WINDOW_BYTES', '16777216', 'HTTP/2 receive window the gRPC port grants each connection and call (Node keeps 64 KiB: a client could then upload a reference image only 64 KiB per round trip).', int(65_535, 2 ** 31 - 1).default(16 * 1024 * 1024)),
  GRPC_MAX_CONNECTION_AGE_MS: key('GRPC_MAX_CONNECTION_AGE_MS', 'unset (no limit)', 'Close gRPC connections after this age so clients rebalance across replicas.', ms(30 * 24 * 3600_000).optional()),
  HTTP_BODY_LIMIT_BYTES: key('HTTP_BODY_LIMIT_BYTES', '14 × MAX_REFERENCE_IMAGE_BYTES × 4/3 + 1 MiB', 'Largest REST request body accepted (413 above it).', int(1024, 2 ** 31 - 1).optional()),

  // Bounds on untrusted bytes, connections and time (DESIGN §9; README "Limits on untrusted input")
  REQUEST_BODY_BUDGET_BYTES: key('REQUEST_BODY_BUDGET_BYTES', '2 × HTTP_BODY_LIMIT_BYTES', 'Request bodies (REST) and messages (gRPC) held at once across all calls; a body past it is refused (413 / RESOURCE_EXHAUSTED, retryable).', int(1024, 2 ** 40).optional()),
  HTTP_REQUEST_TIMEOUT_MS: key('HTTP_REQUEST_TIMEOUT_MS', '120000', 'Time a REST client has to send a whole request, headers and body (408 envelope, connection closed).', int(1000, 3600_000).default(120_000)),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: key('HTTP_KEEP_ALIVE_TIMEOUT_MS', '72000', 'How long an idle REST keep-alive connection is kept open.', int(1000, 3600_000).default(72_000)),
  HTTP_MAX_CONNECTIONS: key('HTTP_MAX_CONNECTIONS', '10000', 'Open REST connections at most; further connections are closed at once.', int(1, 1_000_000).default(10_000)),
  GRPC_MAX_CONNECTIONS: key('GRPC_MAX_CONNECTIONS', '10000', 'Open gRPC connections at most (per listening address); further connections are closed at once.', int(1, 1_000_000).default(10_000)),
  GRPC_MESSAGE_TIMEOUT_MS: key('GRPC_MESSAGE_TIMEOUT_MS', '120000', 'Time a gRPC client has, from the call start, to send its whole request message (DEADLINE_EXCEEDED after).', int(1000, 3600_000).default(120_000)),
  GRPC_MAX_CONNECTION_IDLE_MS: key('GRPC_MAX_CONNECTION_IDLE_MS', '300000', 'Close gRPC connections that carried no call for this long.', int(1000, 30 * 24 * 3600_000).default(300_000)),
  MAX_CALL_DURATION_MS: key('MAX_CALL_DURATION_MS', '900000', 'Longest a generation call may run: the deadline of REST calls and of gRPC calls without one; longer gRPC deadlines are clamped to it.', int(1000, 7 * 24 * 3600_000).default(900_000)),
  SHUTDOWN_DRAIN_WINDOW_MS: key('SHUTDOWN_DRAIN_WINDOW_MS', '5000', 'On shutdown, how long listeners stay open answering /readyz 503 and new calls UNAVAILABLE before they close.', ms(600_000).default(5000)),
  UPSTREAM_MAX_RESPONSE_BYTES: key('UPSTREAM_MAX_RESPONSE_BYTES', '15 × 44.7 MB + 1 MiB (15 4K PNGs as base64)', 'Largest JSON answer read from the upstream (UPSTREAM_BAD_RESPONSE above it).', int(1024, 2 ** 40).optional()),
  UPSTREAM_MAX_SSE_FRAME_BYTES: key('UPSTREAM_MAX_SSE_FRAME_BYTES', '44.7 MB + 64 KiB (one 4K PNG as base64)', 'Largest SSE event read from the upstream (UPSTREAM_BAD_RESPONSE above it).', int(1024, 2 ** 40).optional()),

  // Caller authentication
  GATEWAY_API_KEYS: key('GATEWAY_API_KEYS', 'unset', 'Caller keys as comma-separated name=<SHA-256 hex of the key> pairs; callers send Authorization: Bearer <key>.', apiKeysSchema.default([])),
  GATEWAY_API_KEYS_FILE: key('GATEWAY_API_KEYS_FILE', 'unset', 'Path of a JSON file [{"name": …, "sha256": …}] with more caller keys.', z.string().optional()),
  GATEWAY_ALLOW_OPEN: key('GATEWAY_ALLOW_OPEN', 'false', 'Allow running without caller keys against a real upstream (open mode is automatic only with the simulator).', bool.default(false)),

  // Config file: channels, caller roles and quotas, routing, shared state (docs/config-file.md)
  GATEWAY_CONFIG_FILE: key('GATEWAY_CONFIG_FILE', 'unset (one channel from the upstream keys below)', 'Path of a JSON or YAML file with channels, caller keys with roles and limits, routing and the Redis store (docs/config-file.md).', z.string().optional()),

  // Upstream
  UPSTREAM_KIND: key('UPSTREAM_KIND', 'ark if an Ark key is set, else simulator', 'simulator (embedded, no key needed), ark (native Seedream API) or openai-compatible (a relay).', z.enum(['simulator', 'ark', 'openai-compatible']).optional()),
  ARK_API_KEY: key('ARK_API_KEY', 'unset', 'Ark / ModelArk API key; setting it selects the ark upstream.', z.string().optional()),
  ARK_API_KEY_FILE: key('ARK_API_KEY_FILE', 'unset', 'Path of a file holding the Ark API key (instead of ARK_API_KEY).', z.string().optional()),
  ARK_REGION: key('ARK_REGION', 'cn (international when ARK_BASE_URL is a bytepluses.com URL)', 'cn (Volcengine Ark, doubao-… ids) or international (BytePlus ModelArk, seedream-… ids).', z.enum(['cn', 'international']).optional()),
  ARK_BASE_URL: key('ARK_BASE_URL', 'the region\'s …/api/v3 URL', 'Base URL of the Ark API, including /api/v3.', httpUrl.optional()),
  ARK_ENDPOINT_IDS: key('ARK_ENDPOINT_IDS', 'unset', 'Send Ark endpoint ids instead of model ids: comma-separated <model key>=ep-… pairs, e.g. seedream_4_5=ep-2025….', endpointIdsSchema.default({})),
  OPENAI_COMPATIBLE_BASE_URL: key('OPENAI_COMPATIBLE_BASE_URL', 'unset', 'Base URL of an OpenAI-compatible relay serving Seedream (…/v1).', httpUrl.optional()),
  OPENAI_COMPATIBLE_API_KEY: key('OPENAI_COMPATIBLE_API_KEY', 'unset', 'API key of the OpenAI-compatible relay.', z.string().optional()),
  OPENAI_COMPATIBLE_API_KEY_FILE: key('OPENAI_COMPATIBLE_API_KEY_FILE', 'unset', 'Path of a file holding the relay key.', z.string().optional()),
  UPSTREAM_TIMEOUT_MS: key('UPSTREAM_TIMEOUT_MS', '600000', 'Upper bound of one upstream request (the caller\'s deadline, minus DEADLINE_MARGIN_MS, bounds it further).', int(1000, 24 * 3600_000).default(600_000)),
  UPSTREAM_CONNECT_TIMEOUT_MS: key('UPSTREAM_CONNECT_TIMEOUT_MS', '10000', 'Timeout for opening a connection to the upstream.', int(100, 600_000).default(10_000)),
  UPSTREAM_MAX_CONNECTIONS: key('UPSTREAM_MAX_CONNECTIONS', '128', 'Keep-alive connection pool size towards the upstream.', int(1, 100_000).default(128)),
  UPSTREAM_PREFER_STREAMING: key('UPSTREAM_PREFER_STREAMING', 'true', 'Use upstream SSE for models that stream natively, so images are forwarded as each finishes.', bool.default(true)),
  DEADLINE_MARGIN_MS: key('DEADLINE_MARGIN_MS', '250', 'Subtracted from the caller\'s remaining deadline to bound the upstream request, leaving time to answer.', ms(600_000).default(250)),

  // Retries
  RETRY_MAX_ATTEMPTS: key('RETRY_MAX_ATTEMPTS', '3', 'Attempts per upstream request for retryable failures (1 = no retry).', int(1, 10).default(3)),
  RETRY_BASE_DELAY_MS: key('RETRY_BASE_DELAY_MS', '500', 'First backoff delay; doubles per attempt, with full jitter.', ms(600_000).default(500)),
  RETRY_MAX_DELAY_MS: key('RETRY_MAX_DELAY_MS', '10000', 'Largest backoff delay (a longer upstream Retry-After ends the retries instead).', ms(3600_000).default(10_000)),

  // Request limits
  MAX_N: key('MAX_N', '10', 'Largest n (independent generations per call).', int(1, 100).default(10)),
  MAX_IMAGES_PER_REQUEST: key('MAX_IMAGES_PER_REQUEST', '30', 'Largest total of images one call may ask for (n × image-set size).', int(1, 1500).default(30)),
  PROMPT_MAX_CHARS: key('PROMPT_MAX_CHARS', '8000', 'Longest prompt accepted, in characters.', int(1, 1_000_000).default(8000)),
  MAX_REFERENCE_IMAGE_BYTES: key('MAX_REFERENCE_IMAGE_BYTES', '10000000', 'Largest inline reference image, decoded (older upstream docs: 10 MB; newer: 30 MB).', int(1024, 100_000_000).default(10_000_000)),
  FANOUT_CONCURRENCY: key('FANOUT_CONCURRENCY', '4', 'Upstream requests one call runs at once when n > 1.', int(1, 100).default(4)),
  MAX_CONCURRENT_GENERATIONS: key('MAX_CONCURRENT_GENERATIONS', '256', 'Calls generating at once across all callers (RESOURCE_EXHAUSTED above).', int(1, 1_000_000).default(256)),
  MAX_CONCURRENT_GENERATIONS_PER_KEY: key('MAX_CONCURRENT_GENERATIONS_PER_KEY', '64', 'Calls generating at once per caller key.', int(1, 1_000_000).default(64)),
  HEARTBEAT_INTERVAL_MS: key('HEARTBEAT_INTERVAL_MS', '15000', 'Idle time after which a stream gets a heartbeat event (0 = none).', ms(3600_000).default(15_000)),

  // Pricing
  PRICE_CURRENCY: key('PRICE_CURRENCY', 'CNY for the cn Ark region, else USD', 'Currency of estimated costs (catalog prices exist in CNY and USD).', z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD').optional()),
  MODEL_PRICES: key('MODEL_PRICES', 'catalog prices', 'JSON price overrides per model key in PRICE_CURRENCY, e.g. {"seedream_4_5":{"perImage":0.04}}; also "large" {minPixels, perImage} and "perReferenceImage".', modelPricesSchema.default({})),

  // Simulator
  SIMULATOR_HOST: key('SIMULATOR_HOST', '127.0.0.1', 'Address of the standalone simulator (npm run simulator); the embedded one always uses loopback.', z.string().default('127.0.0.1')),
  SIMULATOR_PORT: key('SIMULATOR_PORT', '18080', 'Port of the standalone simulator; the embedded one picks a free port.', port.default(18080)),
  SIMULATOR_API_KEY: key('SIMULATOR_API_KEY', 'unset (any non-empty key)', 'The only Bearer key the simulator accepts.', z.string().optional()),
  SIMULATOR_LATENCY_MS: key('SIMULATOR_LATENCY_MS', '1200', 'Simulated render time per image.', ms(600_000).default(1200)),
  SIMULATOR_FIXED_SEED: key('SIMULATOR_FIXED_SEED', 'unset (a random seed per request, as upstream)', 'Seed for requests without one, so identical requests give identical (cached) images — for benchmarks.', int(0, 2_147_483_647).optional()),
  SIMULATOR_URL_TTL_MS: key('SIMULATOR_URL_TTL_MS', '86400000', 'How long simulator image URLs stay valid (404 afterwards).', int(1000, 30 * 24 * 3600_000).default(86_400_000)),

  // Hosted images (DESIGN §11)
  IMAGE_HOSTING: key('IMAGE_HOSTING', 'local', 'Where delivered images are stored and served from: off (callers get upstream URLs), local (DATA_DIR, served by the gateway) or s3.', z.enum(['off', 'local', 's3']).default('local')),
  IMAGE_HOSTING_STORE_INLINE: key('IMAGE_HOSTING_STORE_INLINE', 'false', 'Also store images answered inline (b64_json / bytes); callers still get the data inline.', bool.default(false)),
  IMAGE_RETENTION_MS: key('IMAGE_RETENTION_MS', '604800000 (7 days)', 'How long stored images (and their URLs) live; the sweep deletes older local files. S3 presigned URLs are capped at 7 days.', int(60_000, 365 * 24 * 3600_000).default(7 * 24 * 3600_000)),
  PUBLIC_BASE_URL: key('PUBLIC_BASE_URL', 'http://<HOST, or 127.0.0.1 when HOST is a wildcard>:<HTTP port>', 'Base URL other machines reach the REST server at; local image URLs are built on it (/v1/assets/…).', httpUrl.optional()),
  DATA_DIR: key('DATA_DIR', './data', 'Directory of the local image store (images/ and tmp/ inside it).', z.string().default('./data')),
  IMAGE_SIGNING_KEY: key('IMAGE_SIGNING_KEY', 'random at boot (URLs die with the process)', 'HMAC key signing local image URLs, ≥ 32 characters; replicas and restarts need the same key.', z.string().min(32, { message: 'must be at least 32 characters' }).optional()),
  IMAGE_DISK_CAP_BYTES: key('IMAGE_DISK_CAP_BYTES', '10737418240 (10 GiB)', 'Largest total size of the local image store; the oldest images are evicted beyond it.', int(1024 * 1024, Number.MAX_SAFE_INTEGER).default(10 * 1024 ** 3)),
  S3_ENDPOINT: key('S3_ENDPOINT', 'unset (AWS S3)', 'Endpoint of an S3-compatible store (MinIO, Cloudflare R2, Volcengine TOS…).', httpUrl.optional()),
  S3_REGION: key('S3_REGION', 'us-east-1', 'Region of the S3 bucket.', z.string().default('us-east-1')),
  S3_BUCKET: key('S3_BUCKET', 'unset (required when IMAGE_HOSTING=s3)', 'Bucket the images go to; it must exist.', z.string().optional()),
  S3_PREFIX: key('S3_PREFIX', 'images/', 'Key prefix of stored images inside the bucket.', z.string().default('images/')),
  S3_FORCE_PATH_STYLE: key('S3_FORCE_PATH_STYLE', 'false', 'Address the bucket as <endpoint>/<bucket> instead of <bucket>.<endpoint> (MinIO and most self-hosted stores).', bool.default(false)),
  S3_ACCESS_KEY_ID: key('S3_ACCESS_KEY_ID', 'unset (the AWS SDK default chain)', 'Access key id for the S3 store.', z.string().optional()),
  S3_SECRET_ACCESS_KEY: key('S3_SECRET_ACCESS_KEY', 'unset (the AWS SDK default chain)', 'Secret access key for the S3 store.', z.string().optional()),
  S3_PUBLIC_BASE_URL: key('S3_PUBLIC_BASE_URL', 'unset (presigned GET URLs)', 'Public or CDN base URL of the bucket prefix; image URLs become <base>/<key> instead of presigned links.', httpUrl.optional()),
  IMAGE_FETCH_ALLOWED_HOSTS: key('IMAGE_FETCH_ALLOWED_HOSTS', 'ark: *.volces.com,*.bytepluses.com; relay: its base URL host; simulator: its own host', 'Hosts (host, host:port or *.domain) the gateway may download upstream images from to host them.', z.string().optional()),
  IMAGE_FETCH_MAX_BYTES: key('IMAGE_FETCH_MAX_BYTES', '67108864 (64 MiB)', 'Largest upstream image the gateway downloads to host.', int(1024, 2 ** 31 - 1).default(64 * 1024 * 1024)),
  IMAGE_FETCH_TIMEOUT_MS: key('IMAGE_FETCH_TIMEOUT_MS', '60000', 'Time limit of one upstream image download.', int(100, 3600_000).default(60_000)),

  // Durable generations: idempotency keys, jobs, webhooks (DESIGN §10)
  JOB_STORE: key('JOB_STORE', 'memory', 'Where jobs, their event logs and idempotency keys live: memory (in process; they live as long as the process) or redis (shared by replicas, REDIS_URL).', z.enum(['memory', 'redis']).default('memory')),
  REDIS_URL: key('REDIS_URL', "the config file's redis store, if any (required when JOB_STORE=redis)", 'Redis server URL of the job store (redis://[user:password@]host:port[/db]).', z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional()),
  REDIS_KEY_PREFIX: key('REDIS_KEY_PREFIX', 'seedream:', 'Prefix of every Redis key the gateway writes.', z.string().default('seedream:')),
  JOB_RETENTION_MS: key('JOB_RETENTION_MS', '86400000 (24 h)', 'How long a job, its events and its idempotency key are kept after it ends.', int(60_000, 30 * 24 * 3600_000).default(24 * 3600_000)),
  JOB_LEASE_MS: key('JOB_LEASE_MS', '30000', 'Lease of a running job: a job whose replica stops renewing it for this long becomes interrupted (never re-run).', int(1000, 3600_000).default(30_000)),
  JOB_SWEEP_INTERVAL_MS: key('JOB_SWEEP_INTERVAL_MS', '5000', 'How often each replica looks for jobs with expired leases.', int(100, 3600_000).default(5000)),
  WEBHOOK_ALLOWED_CIDRS: key('WEBHOOK_ALLOWED_CIDRS', 'unset (public addresses only)', 'Comma-separated CIDR ranges webhooks may reach although private, loopback or reserved.', z.string().optional()),
  WEBHOOK_ALLOW_HTTP: key('WEBHOOK_ALLOW_HTTP', 'false', 'Accept http:// webhook URLs (https only by default).', bool.default(false)),
  WEBHOOK_MAX_ATTEMPTS: key('WEBHOOK_MAX_ATTEMPTS', '5', 'Delivery attempts of one webhook (retried on network errors, 5xx and 429 with backoff).', int(1, 20).default(5)),
  WEBHOOK_TIMEOUT_MS: key('WEBHOOK_TIMEOUT_MS', '10000', 'Time limit of one webhook delivery attempt.', int(100, 600_000).default(10_000)),
  WEBHOOK_SECRETS: key('WEBHOOK_SECRETS', 'unset (jobs of keys without a secret cannot have webhooks)', 'Per caller key, the Standard Webhooks signing secret: name=whsec_<base64>, comma-separated.', z.string().optional()),
  WEBHOOK_DEFAULT_URLS: key('WEBHOOK_DEFAULT_URLS', 'unset', 'Per caller key, the webhook URL of jobs that name none: name=https://…, comma-separated.', z.string().optional()),

  // Telemetry and logs
  OTEL_SERVICE_NAME: key('OTEL_SERVICE_NAME', 'seedream-gateway', 'service.name resource attribute.', z.string().default('seedream-gateway')),
  OTEL_SDK_DISABLED: key('OTEL_SDK_DISABLED', 'false', 'Turn all tracing and metrics off.', bool.default(false)),
  OTEL_EXPORTER_OTLP_ENDPOINT: key('OTEL_EXPORTER_OTLP_ENDPOINT', 'unset (no export)', 'OTLP/HTTP base URL; traces go to /v1/traces, metrics to /v1/metrics.', httpUrl.optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: key('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'unset', 'Full OTLP/HTTP traces URL (overrides the base URL).', httpUrl.optional()),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: key('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'unset', 'Full OTLP/HTTP metrics URL (overrides the base URL).', httpUrl.optional()),
  OTEL_EXPORTER_OTLP_PROTOCOL: key('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf', 'http/protobuf or http/json.', z.enum(['http/protobuf', 'http/json']).default('http/protobuf')),
  OTEL_EXPORTER_OTLP_HEADERS: key('OTEL_EXPORTER_OTLP_HEADERS', 'unset', 'Headers for OTLP export as key=value pairs separated by commas.', otlpHeadersSchema.default({})),
  OTEL_METRIC_EXPORT_INTERVAL: key('OTEL_METRIC_EXPORT_INTERVAL', '60000', 'Interval of OTLP metric export, ms.', int(100, 24 * 3600_000).default(60_000)),
  PROMETHEUS_PORT: key('PROMETHEUS_PORT', 'unset (off)', 'Serve a Prometheus scrape endpoint (/metrics) on this port.', port.optional()),
  TELEMETRY_CAPTURE_PROMPTS: key('TELEMETRY_CAPTURE_PROMPTS', 'false', 'Record prompts on spans (gen_ai.prompt). Off by default: prompts may be personal data.', bool.default(false)),
  LOG_LEVEL: key('LOG_LEVEL', 'info', 'fatal, error, warn, info, debug, trace or silent.', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
});

export type EnvKeys = z.infer<typeof envSchemaKeys>;

/** The documentation of every key, in declaration order. */
export const configKeyDocs: readonly ConfigKeyDoc[] = Object.freeze(docs);
