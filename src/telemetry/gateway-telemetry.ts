/**
 * The handle the app passes to the edges and the core: a tracer, the instruments, and whether prompts
 * may be recorded. Built from the global providers once telemetry has started (no-ops when it is off).
 */
import { trace, type Tracer } from '@opentelemetry/api';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { GATEWAY_VERSION } from './version.js';

export interface GatewayTelemetry {
  readonly tracer: Tracer;
  readonly metrics: GatewayMetrics;
  /** Record prompts on spans (TELEMETRY_CAPTURE_PROMPTS; off by default: prompts may be personal data). */
  readonly capturePrompts: boolean;
}

export function createGatewayTelemetry(options: { readonly capturePrompts?: boolean } = {}): GatewayTelemetry {
  return {
    tracer: trace.getTracer('seedream-gateway', GATEWAY_VERSION),
    metrics: createGatewayMetrics(),
    capturePrompts: options.capturePrompts ?? false,
  };
}
