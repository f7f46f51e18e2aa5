/**
 * `GET|HEAD /v1/assets/{id}?expires=…&sig=…`: the local image store's files (DESIGN §11). No caller key —
 * the URL's HMAC signature is the authorization, so the link works from any machine it is handed to.
 * 404 for an id the store could not have made (no path ever reaches the file system unchecked) or a
 * file that was swept or evicted, 403 for a bad signature, 410 once the URL expired. Files are
 * immutable (content-addressed), so: strong ETag, `Cache-Control: immutable` for the URL's remaining
 * life, `If-None-Match` → 304, and single `Range` requests → 206 (or 416).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ByteRange } from '../../assets/asset-store.js';
import { ASSET_ROUTE_PREFIX, isLocalAssetId, type LocalAssetStore } from '../../assets/local-asset-store.js';
import { JSON_CONTENT_TYPE } from '../reply-error.js';

/** Registers the route (outside the caller-key scope: signed URLs carry their own authorization). */
export function registerAssetRoutes(app: FastifyInstance, store: LocalAssetStore, now: () => number = Date.now): void {
  app.route({
    method: ['GET', 'HEAD'],
    url: `${ASSET_ROUTE_PREFIX}:id`,
    exposeHeadRoute: false,
    handler: (request, reply) => serveAsset(request, reply, store, now),
  });
}

// Returns the reply itself: an async handler that returns undefined after send(stream) makes fastify
// answer an empty body before the stream starts.
async function serveAsset(request: FastifyRequest, reply: FastifyReply, store: LocalAssetStore, now: () => number): Promise<FastifyReply> {
  const { id } = request.params as { id: string };
  const { expires, sig } = request.query as { expires?: string; sig?: string };
  if (!isLocalAssetId(id)) return refuse(reply, 404, 'not_found', 'no such image');
  switch (store.signer.check(id, expires, sig, now())) {
    case 'bad_signature':
      return refuse(reply, 403, 'invalid_signature', 'the image URL is not validly signed');
    case 'expired':
      return refuse(reply, 410, 'url_expired', 'the image URL has expired');
    case 'valid':
      break;
  }
  const asset = await store.open(id);
  if (asset === undefined) return refuse(reply, 404, 'not_found', 'the image is no longer stored');
  const remaining = Math.max(0, Number(expires) - Math.floor(now() / 1000));
  void reply.headers({
    'content-type': asset.contentType,
    etag: asset.etag,
    'accept-ranges': 'bytes',
    // Immutable for exactly as long as the signature lives; private caches only past that are moot.
    'cache-control': `public, max-age=${remaining}, immutable`,
  });
  if (request.headers['if-none-match'] === asset.etag) {
    await asset.release();
    return reply.code(304).send();
  }
  const range = rangeOf(request.headers.range, asset.byteSize);
  if (range === 'unsatisfiable') {
    await asset.release();
    return reply.code(416).header('content-range', `bytes */${asset.byteSize}`).send();
  }
  if (range !== undefined) void reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${asset.byteSize}`);
  if (request.method === 'HEAD') {
    await asset.release();
    const length = range === undefined ? asset.byteSize : range.end - range.start + 1;
    return reply.header('content-length', String(length)).send();
  }
  // Bodies go chunked: with a Content-Length on a streamed reply, fastify 5 left the kept-alive
  // connection busy after the last byte (measured: a graceful close then waited its whole grace period).
  // The size is in the API answer (`byte_size`), in Content-Range, and in HEAD.
  return reply.send(await asset.read(range));
}

/** A single `bytes=` range (RFC 9110 §14.2); multiple ranges are answered with the whole file. */
function rangeOf(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last); // the last N bytes
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return end < start ? undefined : { start, end };
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type(JSON_CONTENT_TYPE)
    .send(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } }));
}
