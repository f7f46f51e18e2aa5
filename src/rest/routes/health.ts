/**
 * `GET /healthz` (liveness: 200 while the process runs) and `GET /readyz` (readiness: 503 once shutdown
 * has begun, so load balancers drain the instance before it stops — DESIGN §7). No authentication:
 * probes carry no keys.
 */
import type { FastifyInstance } from 'fastify';
import type { Lifecycle } from '../../lifecycle.js';
import { JSON_CONTENT_TYPE } from '../reply-error.js';

const live = JSON.stringify({ status: 'ok' });
const ready = JSON.stringify({ status: 'ready' });
const draining = JSON.stringify({ status: 'shutting_down' });

/** Registers the probes. */
export function registerHealthRoutes(app: FastifyInstance, lifecycle: Lifecycle): void {
  app.get('/healthz', (_request, reply) => reply.type(JSON_CONTENT_TYPE).send(live));
  app.get('/readyz', (_request, reply) =>
    lifecycle.serving ? reply.type(JSON_CONTENT_TYPE).send(ready) : reply.code(503).type(JSON_CONTENT_TYPE).send(draining),
  );
}
