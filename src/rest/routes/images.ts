/**
 * `POST /v1/images/generations`: JSON body shape (zod) → model by any name → the proto request → the
 * shared images call (src/rest/images-call.ts), which enters the core exactly as gRPC does (DESIGN §2).
 */
import type { FastifyInstance } from 'fastify';
import { answerImagesCall, resolveModelOrThrow, type ImagesRouteDeps } from '../images-call.js';
import { parseImageRequest } from '../request-schema.js';
import { protoSpecFromOpenAi } from '../spec-from-openai.js';

export { WARNINGS_HEADER, type ImagesRouteDeps } from '../images-call.js';

/** Registers the route on a scope whose onRequest hook has authenticated the caller. */
export function registerImagesRoute(app: FastifyInstance, deps: ImagesRouteDeps): void {
  app.post('/v1/images/generations', (request, reply) =>
    answerImagesCall(request, reply, deps, { route: 'images', prefix: 'image_generation' }, async (note) => {
      const parsed = parseImageRequest(request.body);
      const body = parsed.request;
      note({ stream: body.stream === true });
      const resolved = resolveModelOrThrow(body.model);
      note({ model: resolved.entry.key });
      const translated = protoSpecFromOpenAi(body, resolved);
      return {
        spec: translated.spec,
        modelName: body.model,
        stream: body.stream === true,
        warnings: [...parsed.warnings, ...translated.warnings],
        refs: translated.refs,
        ...(typeof body.webhook_url === 'string' && { webhookUrl: body.webhook_url }),
      };
    }),
  );
}
