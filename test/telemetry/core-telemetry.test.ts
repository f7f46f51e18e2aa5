import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { GatewayError } from '../../src/errors.js';
import { globalCoreTelemetry } from '../../src/service/core-telemetry.js';
import { createImageGenerator } from '../../src/service/image-generator.js';
import type { GenerationEvent, GenerationSpec } from '../../src/service/types.js';
import { completed, image, scriptedUpstream, type Script } from '../helpers/scripted-upstream.js';
import { spanTree, startTestTelemetry } from '../helpers/telemetry.js';

const telemetry = startTestTelemetry();
const config = loadConfig({ RETRY_BASE_DELAY_MS: '1', HEARTBEAT_INTERVAL_MS: '0' });
const spec: GenerationSpec = { model: 'seedream_4_5', prompt: 'a secret prompt about Alice', referenceImages: [], responseFormat: 'url', n: 1 };

async function run(script: Script, capturePrompts = false, extra: Partial<GenerationSpec> = {}) {
  const upstream = scriptedUpstream(script);
  const generator = createImageGenerator({ upstream, config, region: 'cn', telemetry: globalCoreTelemetry(capturePrompts) });
  const tracer = trace.getTracer('test');
  const edge = tracer.startSpan('edge');
  const events: GenerationEvent[] = [];
  let error: unknown;
  try {
    const traceContext = trace.setSpan(context.active(), edge);
    for await (const event of generator.generate({ ...spec, ...extra }, { signal: new AbortController().signal, caller: { keyName: 'web' }, traceContext })) events.push(event);
  } catch (e) {
    error = e;
  }
  edge.end();
  return { upstream, events, error, edge };
}

describe('core telemetry', () => {
  it('traces edge → image_generation → one span per upstream attempt, and sends each attempt\'s context upstream', async () => {
    telemetry.reset();
    let attempts = 0;
    const { upstream, edge } = await run(async function* () {
      attempts += 1;
      if (attempts === 1) throw new GatewayError('UPSTREAM_UNAVAILABLE', 'boom', { upstream: { status: 500, code: 'InternalServiceError', requestId: 'req-1' } });
      yield image(0);
      yield completed(1);
    });
    expect(spanTree(telemetry.spans())).toEqual(['edge', '  image_generation doubao-seedream-4-5-251128', '    POST', '    POST']);
    const spans = telemetry.spans();
    const generation = spans.find((s) => s.name.startsWith('image_generation'));
    const [first, second] = spans.filter((s) => s.name === 'POST');
    expect(generation?.spanContext().traceId).toBe(edge.spanContext().traceId);
    expect(generation?.attributes).toMatchObject({
      'gen_ai.operation.name': 'image_generation',
      'gen_ai.provider.name': 'scripted',
      'gen_ai.request.model': 'doubao-seedream-4-5-251128',
      'gen_ai.response.model': 'doubao-seedream-4-5-251128',
      'gen_ai.response.id': 'req-1',
      'gen_ai.usage.output_tokens': 16384,
      'gen_ai.output.type': 'image',
      'gen_ai.request.stream': true,
      'seedream.images.generated': 1,
    });
    expect(first?.attributes).toMatchObject({ 'http.response.status_code': 500, 'error.type': '500', 'seedream.upstream.attempt': 1, 'gen_ai.response.id': 'req-1' });
    expect(first?.status.code).toBe(SpanStatusCode.ERROR);
    expect(second?.attributes).toMatchObject({ 'http.response.status_code': 200, 'seedream.upstream.attempt': 2 });
    // Each attempt sent its own span as the upstream's parent.
    for (const [i, call] of upstream.calls.entries()) {
      const sent = trace.getSpanContext(propagation.extract(context.active(), call.options.headers ?? {}));
      expect(sent?.spanId).toBe([first, second][i]?.spanContext().spanId);
      expect(sent?.traceId).toBe(edge.spanContext().traceId);
    }
  });

  it('keeps a caller\'s bad input off the error status, with error.type set', async () => {
    telemetry.reset();
    await run(async function* () {
      yield* [];
      throw new GatewayError('INVALID_ARGUMENT', 'bad', { violations: [{ field: 'size', description: 'x' }] });
    });
    const generation = telemetry.spans().find((s) => s.name.startsWith('image_generation'));
    expect(generation?.attributes['error.type']).toBe('INVALID_ARGUMENT');
    expect(generation?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks upstream failures as errors', async () => {
    telemetry.reset();
    await run(async function* () {
      yield* [];
      throw new GatewayError('UPSTREAM_AUTH_FAILED', 'key');
    });
    const generation = telemetry.spans().find((s) => s.name.startsWith('image_generation'));
    expect(generation?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('never records the prompt unless capture is switched on', async () => {
    telemetry.reset();
    await run(async function* () {
      yield image(0);
      yield completed(1);
    });
    expect(JSON.stringify(telemetry.spans().map((s) => s.attributes))).not.toContain('Alice');
    telemetry.reset();
    await run(async function* () {
      yield image(0);
      yield completed(1);
    }, true);
    expect(JSON.stringify(telemetry.spans().map((s) => s.attributes))).toContain('Alice');
  });

  it('records operation duration, images by outcome, upstream duration by status and cost by model and key', async () => {
    await run(async function* () {
      yield image(0);
      yield { type: 'failure', index: 1, code: 'OutputImageSensitiveContentDetected', message: 'm' };
      yield completed(1);
    }, false, { imageSet: { maxImages: 2 } });
    const durations = await telemetry.points('gen_ai.client.operation.duration');
    expect(durations.some((p) => p.attributes['gen_ai.operation.name'] === 'image_generation' && p.attributes['gen_ai.provider.name'] === 'scripted')).toBe(true);
    const images = await telemetry.points('gen_ai.client.image.count');
    const count = (outcome: string) => images.filter((p) => p.attributes['seedream.image.outcome'] === outcome).reduce((sum, p) => sum + Number(p.value), 0);
    expect(count('generated')).toBeGreaterThanOrEqual(1);
    expect(count('moderated')).toBe(1);
    const upstream = await telemetry.points('http.client.request.duration');
    expect(upstream.map((p) => p.attributes['http.response.status_code'])).toEqual(expect.arrayContaining([200, 500]));
    const cost = await telemetry.points('seedream.gateway.estimated_cost');
    expect(cost[0]?.attributes).toMatchObject({ 'gen_ai.request.model': 'doubao-seedream-4-5-251128', 'seedream.cost.currency': 'USD', 'seedream.key.name': 'web' });
    expect(Number(cost[0]?.value)).toBeGreaterThan(0);
  });
});
