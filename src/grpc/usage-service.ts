/**
 * The `seedream.v1.UsageService` handler: translates GetUsage to the core's usage reader and its report
 * back. Who may read what is decided by the reader (src/usage/usage-reader.ts), not here.
 */
import type { ServiceImplementation } from 'nice-grpc';
import { UsageServiceDefinition, type GetUsageResponse } from '../../gen/seedream/v1/usage_service.js';
import type { UsageReader } from '../usage/usage-reader.js';
import type { CallerContext } from './auth-middleware.js';

export { UsageServiceDefinition };

export function createUsageService(reader: UsageReader): ServiceImplementation<typeof UsageServiceDefinition, CallerContext> {
  return {
    async getUsage(request, context): Promise<GetUsageResponse> {
      const report = await reader.read(context.caller, { caller: request.caller, from: request.fromDay, to: request.toDay });
      return {
        currency: report.currency,
        fromDay: report.from,
        toDay: report.to,
        rows: report.rows.map((r) => ({
          day: r.day,
          caller: r.caller,
          model: r.model,
          channel: r.channel,
          requests: r.requests,
          imagesDelivered: r.imagesDelivered,
          imagesFailed: r.imagesFailed,
          estimatedCostMicros: r.costMicros,
        })),
      };
    },
  };
}
