/**
 * The core's entry point, shared by the gRPC and REST edges: `generate(spec, context)` validates at once
 * and returns the stream of events of the generation; `listModels()` returns the catalog listing.
 */
import { context as otelContext } from '@opentelemetry/api';
import type { Config } from '../config.js';
import { createPriceTable } from '../models/pricing.js';
import type { Region } from '../models/types.js';
import type { ImageUpstream } from '../upstream/types.js';
import { createConcurrencyLimiter } from './concurrency-limiter.js';
import { hostImages, type ImageHosting } from './image-hosting.js';
import { globalCoreTelemetry, type CoreTelemetry } from './core-telemetry.js';
import { listModels, type ModelListing } from './model-listing.js';
import { planGeneration } from './plan-generation.js';
import { runGeneration, type RunDeps } from './run-generation.js';
import type { GenerateContext, GenerationEvent, GenerationSpec } from './types.js';

export interface ImageGenerator {
  /**
   * Validates `spec` immediately — a GatewayError is thrown synchronously for bad input, before any
   * upstream call — and returns the generation's events. The concurrency slot is taken when iteration
   * starts (CONCURRENCY_LIMITED is thrown by the first `next()`), and freed when it ends.
   */
  generate(spec: GenerationSpec, context: GenerateContext): AsyncIterable<GenerationEvent>;
  listModels(): readonly ModelListing[];
  /** Generations running now. */
  readonly active: number;
}

export interface ImageGeneratorDeps {
  readonly upstream: ImageUpstream;
  readonly config: Pick<Config, 'limits' | 'retry' | 'upstreamHttp' | 'heartbeatIntervalMs' | 'pricing'>;
  readonly region: Region;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Tracer and instruments; by default the global providers (no-ops until telemetry starts). */
  readonly telemetry?: CoreTelemetry;
  /** Image hosting (DESIGN §11); undefined when IMAGE_HOSTING=off. */
  readonly hosting?: ImageHosting;
}

export function createImageGenerator(deps: ImageGeneratorDeps): ImageGenerator {
  const { config } = deps;
  const prices = createPriceTable(config.pricing.currency, config.pricing.overrides);
  const listing = listModels(deps.region, prices);
  const limiter = createConcurrencyLimiter({
    total: config.limits.maxConcurrentGenerations,
    perKey: config.limits.maxConcurrentGenerationsPerKey,
  });
  const runDeps: RunDeps = {
    upstream: deps.upstream,
    retry: config.retry,
    attemptTimeoutMs: config.upstreamHttp.timeoutMs,
    deadlineMarginMs: config.upstreamHttp.deadlineMarginMs,
    fanoutConcurrency: config.limits.fanoutConcurrency,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    prices,
    now: deps.now ?? Date.now,
    random: deps.random ?? Math.random,
    telemetry: deps.telemetry ?? globalCoreTelemetry(),
  };
  const hosting = deps.hosting;
  const planContext = { limits: config.limits, region: deps.region, preferStreaming: config.upstreamHttp.preferStreaming };

  return {
    get active() {
      return limiter.active;
    },
    listModels: () => listing,
    generate(spec, context) {
      const plan = planGeneration(spec, planContext);
      // The edge's server span: given explicitly, else the context active now, while generate() runs
      // synchronously inside the edge's call (later, the generator resumes in other contexts).
      const parent = context.traceContext ?? otelContext.active();
      return (async function* run(): AsyncGenerator<GenerationEvent> {
        const release = limiter.acquire(context.caller.keyName);
        try {
          const events = runGeneration(plan, context, runDeps, parent);
          // Calls hosting does not apply to skip the extra stage entirely (DESIGN §8: the hot path).
          if (hosting !== undefined && hosting.appliesTo(spec.responseFormat)) yield* hostImages(events, hosting, context.signal);
          else yield* events;
        } finally {
          release();
        }
      })();
    },
  };
}
