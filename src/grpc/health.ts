/**
 * `grpc.health.v1.Health` for load balancers and orchestrators. Reports SERVING for the whole server
 * (`""`) and for `seedream.v1.ImageService` until shutdown begins, then NOT_SERVING so traffic drains
 * (DESIGN §7, conventions E). Watch streams never end on their own, so shutdown ends them explicitly —
 * otherwise a graceful shutdown would wait the whole grace period for them.
 */
import type { CallContext, ServerMiddleware, ServerMiddlewareCall } from 'nice-grpc-common';
import {
  HealthDefinition,
  HealthServiceImpl,
  HealthState,
  type MaybeTerminatorContext,
} from 'nice-grpc-server-health';
import { ImageServiceDefinition } from '../../gen/seedream/v1/image_service.js';
import type { Lifecycle } from '../lifecycle.js';

export interface GrpcHealth {
  readonly definition: typeof HealthDefinition;
  readonly implementation: ReturnType<typeof HealthServiceImpl>;
  /** Gives Watch handlers `abortOnTerminate`, so `endWatches()` can end them cleanly. */
  readonly watchMiddleware: ServerMiddleware<MaybeTerminatorContext>;
  /** The current status of a service (`''` = the whole server). */
  status(service?: string): 'healthy' | 'unhealthy' | 'unknown';
  /** Ends every Watch stream with OK (after its NOT_SERVING update has been sent). */
  endWatches(): void;
}

/** Health reporting bound to the lifecycle: NOT_SERVING from the moment shutdown begins. */
export function createGrpcHealth(lifecycle: Lifecycle): GrpcHealth {
  const state = HealthState();
  const services = ['', ImageServiceDefinition.fullName];
  for (const service of services) state.setStatus('healthy', service);
  lifecycle.onShutdown(() => {
    for (const service of services) state.setStatus('unhealthy', service);
  });

  const watches = new Set<AbortController>();
  let ended = false;

  const watchMiddleware: ServerMiddleware<MaybeTerminatorContext> = async function* watchMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, MaybeTerminatorContext>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const controller = new AbortController();
    const forward = () => controller.abort();
    context.signal.addEventListener('abort', forward, { once: true });
    const abortOnTerminate = () => {
      if (ended) controller.abort();
      else watches.add(controller);
    };
    try {
      return yield* call.next(call.request, { ...context, signal: controller.signal, abortOnTerminate });
    } catch (error) {
      // Ended by shutdown rather than by the client: finish the stream with OK.
      if (controller.signal.aborted && !context.signal.aborted) return;
      throw error;
    } finally {
      watches.delete(controller);
      context.signal.removeEventListener('abort', forward);
    }
  };

  return {
    definition: HealthDefinition,
    implementation: HealthServiceImpl(state),
    watchMiddleware,
    status: (service = '') => state.getStatus(service),
    endWatches() {
      ended = true;
      for (const controller of watches) controller.abort();
      watches.clear();
    },
  };
}
