/**
 * The gateway's instruments (DESIGN §6): server call duration for gRPC and HTTP, GenAI operation
 * duration, images by model and outcome, upstream request duration by status, and estimated cost by
 * model and caller key. Created from a meter once, when telemetry has started.
 */
import { metrics, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { DURATION_BUCKETS_SECONDS, METRIC, OVERHEAD_BUCKETS_SECONDS } from './attributes.js';
import { createGatewayHistogram } from './gateway-histogram-readers.js';
import { createSummedCounter } from './summed-counter.js';

const SCOPE = 'seedream-gateway';

export interface GatewayMetrics {
  readonly rpcServerDuration: Histogram;
  readonly httpServerDuration: Histogram;
  readonly operationDuration: Histogram;
  readonly imageCount: Counter;
  readonly upstreamDuration: Histogram;
  readonly estimatedCost: Counter;
  /** The gateway's own time per images call (src/telemetry/call-overhead.ts). */
  readonly overheadDuration: Histogram;
}

const seconds = (description: string) => ({
  unit: 's',
  description,
  advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
});

/** Instruments from `meter`, or from the global meter provider (a no-op one when telemetry is off). The
 *  global provider's histograms aggregate in the gateway when its readers allow (gateway-histogram.ts). */
export function createGatewayMetrics(given?: Meter): GatewayMetrics {
  const meter = given ?? metrics.getMeter(SCOPE);
  const histogram = (name: string, options: Parameters<typeof createGatewayHistogram>[4]) => createGatewayHistogram(meter, given === undefined, SCOPE, name, options);
  return {
    rpcServerDuration: histogram(METRIC.rpcServerDuration, seconds('Duration of gRPC calls served.')),
    httpServerDuration: histogram(METRIC.httpServerDuration, seconds('Duration of HTTP requests served.')),
    operationDuration: histogram(METRIC.operationDuration, seconds('Duration of image generations, from the first upstream request to the last image.')),
    imageCount: createSummedCounter(meter, METRIC.imageCount, { unit: '{image}', description: 'Images by model and outcome (generated, moderated, failed).' }),
    upstreamDuration: histogram(METRIC.upstreamDuration, seconds('Duration of upstream HTTP attempts.')),
    overheadDuration: histogram(METRIC.overheadDuration, {
      unit: 's',
      description: "The gateway's own time per images call: elapsed minus upstream wait (streams: up to their first output).",
      advice: { explicitBucketBoundaries: OVERHEAD_BUCKETS_SECONDS },
    }),
    estimatedCost: createSummedCounter(meter, METRIC.estimatedCost, { unit: '{currency}', description: 'Estimated cost of delivered images, in the pricing currency, by model and caller key.' }),
  };
}
