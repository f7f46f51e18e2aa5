/**
 * `POST /v1/images/edits` (multipart/form-data, what `client.images.edit()` sends): the form is read as
 * it streams in under the body bounds (multipart-form.ts), mapped onto the same ImageRequest as a
 * generations body (edit-form.ts) with the files as inline reference images, and run through the shared
 * images call: the core checks every image (format, bytes, pixels, aspect) before anything goes
 * upstream, and errors name `image[i]`. Streams use `image_edit.*` event names (OpenAI's convention for
 * edits), with Ark's `partial_succeeded` / `partial_failed` / `completed` suffixes, as generations do.
 *
 * `POST /v1/images/variations` answers a 400 that says how to get a variation with Seedream.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { editRequestFromForm } from '../edit-form.js';
import { answerImagesCall, resolveModelOrThrow, type ImagesRouteDeps } from '../images-call.js';
import { createByteAllowance, multipartPluginOptions, readMultipartForm, type MultipartLimits } from '../multipart-form.js';
import { RestRequestError } from '../openai-errors.js';
import { sendError } from '../reply-error.js';
import { protoSpecFromOpenAi } from '../spec-from-openai.js';

/** Registers both routes in their own scope (only it parses multipart) on an authenticated scope. */
export function registerImageEditRoutes(app: FastifyInstance, deps: ImagesRouteDeps, limits: MultipartLimits): void {
  void app.register(async (scope) => {
    await scope.register(multipart, multipartPluginOptions());
    scope.post('/v1/images/edits', (request, reply) =>
      answerImagesCall(request, reply, deps, { route: 'image_edits', prefix: 'image_edit' }, async (note) => {
        if (!request.isMultipart()) {
          throw new RestRequestError('invalid_content_type', 'images/edits takes multipart/form-data (the OpenAI SDKs send it from images.edit())');
        }
        const allowance = createByteAllowance(limits.totalBytes);
        try {
          const form = await readMultipartForm(request, limits, allowance);
          const edit = editRequestFromForm(form, limits.fileBytes);
          const body = edit.request;
          note({ stream: body.stream === true, ...(edit.refs && { refs: edit.refs }) });
          const resolved = resolveModelOrThrow(body.model);
          note({ model: resolved.entry.key });
          const translated = protoSpecFromOpenAi(body, resolved);
          return {
            spec: { ...translated.spec, referenceImages: [...edit.references] },
            modelName: body.model,
            stream: body.stream === true,
            warnings: [...edit.warnings, ...translated.warnings],
            refs: edit.refs,
          };
        } finally {
          // The form's bytes now live in the spec (or nowhere): what a shared budget would release here.
          allowance.release();
        }
      }),
    );
    scope.post('/v1/images/variations', (_request, reply) =>
      sendError(
        reply,
        new RestRequestError(
          'invalid_value',
          'Seedream has no variations endpoint. To get a variation, POST /v1/images/edits (client.images.edit()) with the image and a prompt that says what to keep and what to vary, for example "a variation of this image with a different colour scheme".',
        ),
      ),
    );
  });
}

