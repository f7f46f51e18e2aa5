/**
 * `GET /v1/usage?caller=&from=&to=`: the usage ledger as JSON (`{object: "list", currency, from, to,
 * data: [{day, caller, model, channel, requests, images_delivered, images_failed, estimated_cost}]}`).
 * Same rules as gRPC GetUsage: callers read their own rows, admin keys anyone's (src/usage/usage-reader.ts).
 */
import type { FastifyInstance } from 'fastify';
import { toGatewayError } from '../../errors.js';
import type { UsageReader } from '../../usage/usage-reader.js';
import { JSON_CONTENT_TYPE, sendError } from '../reply-error.js';

export function registerUsageRoute(app: FastifyInstance, reader: UsageReader): void {
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/v1/usage', async (request, reply) => {
    const one = (name: string) => {
      const value = request.query[name];
      return Array.isArray(value) ? value[0] : value;
    };
    try {
      const caller = request.caller;
      if (caller === null) throw new Error('usage route reached without a caller');
      const report = await reader.read(caller, { caller: one('caller'), from: one('from'), to: one('to') });
      return reply.type(JSON_CONTENT_TYPE).send(
        JSON.stringify({
          object: 'list',
          currency: report.currency,
          from: report.from,
          to: report.to,
          data: report.rows.map((r) => ({
            day: r.day,
            caller: r.caller,
            model: r.model,
            channel: r.channel,
            requests: r.requests,
            images_delivered: r.imagesDelivered,
            images_failed: r.imagesFailed,
            estimated_cost: r.costMicros / 1e6,
            estimated_cost_micros: r.costMicros,
          })),
        }),
      );
    } catch (error) {
      return sendError(reply, toGatewayError(error));
    }
  });
}
