import { context as otelContext } from '@opentelemetry/api';
import { Metadata, type CallContext, type ServerMiddlewareCall } from 'nice-grpc-common';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { KeyVerifier } from '../../src/auth/api-keys.js';
import { CancelController } from '../../src/cancel-signal.js';
import { GatewayError, isGatewayError } from '../../src/errors.js';
import { createLifecycle } from '../../src/lifecycle.js';
import { createBodyBudget } from '../../src/rest/body-budget.js';
import { createImageCallMiddleware } from '../../src/grpc/image-call-middleware.js';
import { imageServiceDefinition } from '../../src/grpc/image-service.js';
import { MalformedRequest } from '../../src/grpc/service-definition.js';
import { CallOverhead } from '../../src/telemetry/call-overhead.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { testSpec } from '../helpers/grpc-app.js';

// The middleware merges what were three nice-grpc middlewares (auth → call log → request checks); these
// tests pin the order of their effects, which the server-level tests see only in part.

const KEY = 'Bearer good';
const verifier: KeyVerifier = { open: false, verify: (header) => (header === KEY ? { keyName: 'alice' } as never : undefined) };

function setup(budgetBytes = 1000) {
  const lines: Record<string, unknown>[] = [];
  const budget = createBodyBudget(budgetBytes);
  const lifecycle = createLifecycle();
  const shutdown = new CancelController();
  // Each line also records the budget in use when it was written (the request's bytes are released first).
  const destination = new Writable({
    write: (chunk, _enc, done) => {
      lines.push({ ...JSON.parse(String(chunk)), budgetInUse: budget.inUseBytes });
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const middleware = createImageCallMiddleware({ verifier, logger, checks: { budget, lifecycle, shutdownSignal: shutdown }, now: () => 0 });
  return { lines, budget, lifecycle, shutdown, middleware };
}

function callContext(authorization: string | undefined, signal = new AbortController().signal): CallContext & { traceContext: never; callOverhead: CallOverhead } {
  return {
    metadata: authorization === undefined ? Metadata() : Metadata({ authorization }),
    peer: 'ipv4:127.0.0.1:1',
    signal,
    header: Metadata(),
    trailer: Metadata(),
    sendHeader: () => undefined,
    traceContext: otelContext.active() as never,
    callOverhead: new CallOverhead(0),
  } as never;
}

async function run(middleware: ReturnType<typeof setup>['middleware'], request: unknown, context: CallContext, next: (ctx: Record<string, unknown>) => Promise<unknown>) {
  const call = {
    method: { path: '/seedream.v1.ImageService/GenerateImages', requestStream: false, responseStream: false, options: {} },
    requestStream: false,
    responseStream: false,
    request,
    next: async function* (_request: unknown, ctx: Record<string, unknown>) {
      return await next(ctx);
    },
  } as unknown as ServerMiddlewareCall<unknown, unknown, never>;
  const generator = middleware(call, context as never);
  for (;;) {
    const step = await generator.next();
    if (step.done === true) return step.value;
  }
}

const reasonOf = async (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: unknown) => (isGatewayError(error) ? error.reason : String(error)));

describe('the image-call middleware (auth → call log → request checks)', () => {
  it('authenticates before any check: a refused caller with a malformed, oversized request is UNAUTHENTICATED, not logged as a call, reserves nothing', async () => {
    const { lines, budget, middleware } = setup(10);
    let reached = false;
    const reason = await reasonOf(run(middleware, new MalformedRequest('seedream.v1.GenerateImagesRequest', 'bad', 1e6), callContext('Bearer wrong'), async () => (reached = true)));
    expect(reason).toBe('UNAUTHENTICATED');
    expect(reached).toBe(false);
    expect(budget.inUseBytes).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(['refused a call without a valid API key']);
  });

  it('logs a call the checks refuse as malformed with its status and reason, without running the handler', async () => {
    const { lines, middleware, budget } = setup();
    let reached = false;
    const got = await reasonOf(run(middleware, new MalformedRequest('seedream.v1.GenerateImagesRequest', 'bad', 5), callContext(KEY), async () => (reached = true)));
    expect(got).toBe('INVALID_ARGUMENT');
    expect(reached).toBe(false);
    expect(budget.inUseBytes).toBe(0);
    expect(lines.at(-1)).toMatchObject({ msg: 'call', status: 'INVALID_ARGUMENT', reason: 'INVALID_ARGUMENT', keyName: 'alice', method: '/seedream.v1.ImageService/GenerateImages' });
  });

  it('refuses a message over the body budget, logged as RESOURCE_EXHAUSTED; one that fits holds its bytes until the call ends', async () => {
    const method = imageServiceDefinition.generateImages;
    const decoded = method.requestDeserialize(Buffer.from(method.requestSerialize({ spec: testSpec() } as never)));
    const bytes = Buffer.from(method.requestSerialize({ spec: testSpec() } as never)).length;
    const small = setup(bytes - 1);
    let reached = false;
    expect(await reasonOf(run(small.middleware, decoded, callContext(KEY), async () => (reached = true)))).toBe('PAYLOAD_TOO_LARGE');
    expect(reached).toBe(false);
    expect(small.lines.at(-1)).toMatchObject({ msg: 'call', status: 'RESOURCE_EXHAUSTED', reason: 'PAYLOAD_TOO_LARGE' });
    const fits = setup(bytes);
    await run(fits.middleware, decoded, callContext(KEY), async () => expect(fits.budget.inUseBytes).toBe(bytes));
    expect(fits.lines.at(-1)).toMatchObject({ msg: 'call', status: 'OK', budgetInUse: 0 });
  });

  it('refuses while draining with SHUTTING_DOWN, logged as UNAVAILABLE', async () => {
    const { lines, lifecycle, middleware } = setup();
    lifecycle.beginShutdown();
    expect(await reasonOf(run(middleware, { spec: {} }, callContext(KEY), async () => 'x'))).toBe('SHUTTING_DOWN');
    expect(lines.at(-1)).toMatchObject({ msg: 'call', status: 'UNAVAILABLE', reason: 'SHUTTING_DOWN' });
  });

  it('hands the handler the caller and a call signal the shutdown aborts, then releases the request before the line', async () => {
    const { lines, shutdown, middleware } = setup();
    let seen: Record<string, unknown> = {};
    const reason = await reasonOf(
      run(middleware, { spec: {} }, callContext(KEY), async (ctx) => {
        seen = ctx;
        const signal = ctx.callSignal as CancelController;
        expect(signal.aborted).toBe(false);
        shutdown.abort(new GatewayError('SHUTTING_DOWN', 'bye'));
        expect(signal.aborted).toBe(true);
        throw signal.reason;
      }),
    );
    expect(reason).toBe('SHUTTING_DOWN');
    expect(seen.caller).toEqual({ keyName: 'alice' });
    expect(seen.callOverhead).toBeInstanceOf(CallOverhead);
    expect(lines.at(-1)).toMatchObject({ msg: 'call', status: 'UNAVAILABLE', reason: 'SHUTTING_DOWN', budgetInUse: 0 });
  });

  it("follows the caller's cancel on the call signal, and logs OK with the request released", async () => {
    const { lines, middleware } = setup();
    const caller = new AbortController();
    await run(middleware, { spec: {} }, callContext(KEY, caller.signal), async (ctx) => {
      caller.abort(new GatewayError('CANCELLED', 'gone'));
      expect((ctx.callSignal as CancelController).reason).toMatchObject({ reason: 'CANCELLED' });
      return 'ok';
    });
    expect(lines.at(-1)).toMatchObject({ msg: 'call', status: 'OK', budgetInUse: 0 });
    expect(lines.at(-1)).not.toHaveProperty('trace_id');
  });
});
