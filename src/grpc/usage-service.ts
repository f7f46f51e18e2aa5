/**
 * The `seedream.v1.UsageService` handler: translates GetUsage to the core's usage reader and its report
 * back. Who may read what is decided by the reader (src/usage/usage-reader.ts), not here.
 */
import { Status, type ServiceImplementation } from 'nice-grpc';
import { BadRequest, ErrorInfo, RichServerError } from 'nice-grpc-error-details';
import { GatewayError } from '../errors.js';
import { UsageServiceDefinition, type GetUsageResponse } from '../../gen/seedream/v1/usage_service.js';
import type { UsageReader } from '../usage/usage-reader.js';
import type { CallerContext } from './auth-middleware.js';
import { ERROR_DOMAIN } from './status-from-error.js';

/** Proto names of the reader's fields (the shared error mapping knows only ImageGenerationSpec paths). */
const protoFields: Readonly<Record<string, string>> = { caller: 'caller', from: 'from_day', to: 'to_day' };

export { UsageServiceDefinition };

export function createUsageService(reader: UsageReader): ServiceImplementation<typeof UsageServiceDefinition, CallerContext> {
  return {
    async getUsage(request, context): Promise<GetUsageResponse> {
      const report = await reader.read(context.caller, { caller: request.caller, from: request.fromDay, to: request.toDay }).catch((error: unknown) => {
        throw error instanceof GatewayError && error.reason === 'INVALID_ARGUMENT' ? invalidUsageRequest(error) : error;
      });
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

/** INVALID_ARGUMENT with GetUsageRequest's field names in the message and BadRequest. */
function invalidUsageRequest(error: GatewayError): RichServerError {
  const violations = error.violations.map((v) => ({ field: protoFields[v.field] ?? v.field, description: v.description }));
  const first = violations[0];
  const message = first === undefined ? error.message : `${first.field}: ${first.description}`;
  return new RichServerError(Status.INVALID_ARGUMENT, message, [
    ErrorInfo.fromPartial({ reason: error.reason, domain: ERROR_DOMAIN }),
    BadRequest.fromPartial({ fieldViolations: violations }),
  ]);
}
