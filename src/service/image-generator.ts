/**
 * The core's entry point, shared by the gRPC and REST edges: `generate(spec, context)` validates at once
 * and returns the stream of events of the generation; `listModels()` returns the catalog listing.
 */
import { context as otelContext } from '@opentelemetry/api';
import type { Config } from '../config.js';
import { createPriceTable } from '../models/pricing.js';
import type { ModelKey, Region } from '../models/types.js';
import { GatewayError } from '../errors.js';
import type { ImageUpstream } from '../upstream/types.js';
import type { CallAccounting } from '../usage/call-accounting.js';
import { admitCall } from './call-admission.js';
import { createConcurrencyLimiter } from './concurrency-limiter.js';
import { hostImages } from './host-images.js';
import type { ImageHosting } from './image-hosting.js';
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
  /** Caller quotas and the usage ledger (src/usage/); none when absent. */
  readonly accounting?: CallAccounting;
  /** The models some channel serves; ListModels shows only these, others are MODEL_NOT_FOUND. */
  readonly servedModels?: ReadonlySet<ModelKey>;
  /** A caller key's own concurrency cap, when its config sets one. */
  readonly concurrencyOf?: (keyName: string) => number | undefined;
}

export function createImageGenerator(deps: ImageGeneratorDeps): ImageGenerator {
  const { config } = deps;
  const prices = createPriceTable(config.pricing.currency, config.pricing.overrides);
  const served = deps.servedModels;
  const listing = listModels(deps.region, prices).filter((m) => served === undefined || served.has(m.key));
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
  const admission = { limiter, accounting: deps.accounting, concurrencyOf: deps.concurrencyOf };
  const planContext = { limits: config.limits, region: deps.region, preferStreaming: config.upstreamHttp.preferStreaming };

  return {
    get active() {
      return limiter.active;
    },
    listModels: () => listing,
    generate(spec, context) {
      const plan = planGeneration(spec, planContext);
      if (served !== undefined && !served.has(plan.entry.key)) {
        throw new GatewayError('MODEL_NOT_FOUND', `${plan.entry.displayName} is not served by any channel of this gateway`, {
          violations: [{ field: 'model', description: 'ListModels lists the models this gateway serves' }],
        });
      }
      // The edge's server span: given explicitly, else the context active now, while generate() runs
      // synchronously inside the edge's call (later, the generator resumes in other contexts).
      const parent = context.traceContext ?? otelContext.active();
      const keyName = context.caller.keyName;
      const admit = () => admitCall(admission, keyName, plan, context.onAdmitted);
      // Calls hosting does not apply to skip the extra stage entirely (DESIGN §8: the hot path): the run
      // admits the call itself, with no generator around it.
      if (hosting === undefined || !hosting.appliesTo(spec.responseFormat)) return runGeneration(plan, context, runDeps, parent, admit);
      return (async function* hostedRun(): AsyncGenerator<GenerationEvent> {
        const admitted = await admit();
        try {
          const events = runGeneration(plan, admitted.onChannel === undefined ? context : { ...context, onChannel: admitted.onChannel }, runDeps, parent);
          for await (const event of hostImages(events, hosting, context.signal)) {
            admitted.observe(event);
            yield event;
          }
        } finally {
          await admitted.end();
        }
      })();
    },
  };
}
