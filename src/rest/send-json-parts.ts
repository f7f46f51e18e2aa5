/**
 * A 200 JSON answer built from parts. With base64 among them (inline images) the body is written to the
 * raw response as its parts (json-parts.ts says why: no body buffer per call) under an exact
 * Content-Length, so the answer is framed as fastify's would be; without, it goes through fastify.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import { concatParts, hasBase64, partsByteLength, writeParts, type JsonPart } from './json-parts.js';
import { JSON_CONTENT_TYPE } from './reply-error.js';

export function sendJsonParts(reply: FastifyReply, headers: Readonly<Record<string, string>>, parts: readonly JsonPart[]): void {
  if (!hasBase64(parts)) {
    // Not awaited: awaiting a fastify reply waits for the socket's `finish`, which costs listeners per call.
    void reply.code(200).headers(headers).type(JSON_CONTENT_TYPE).send(concatParts(parts));
    return;
  }
  const raw = reply.raw;
  if (raw.destroyed) {
    reply.hijack(); // the client has gone; nobody to answer
    return;
  }
  // Anything a hook set on the reply goes too, as with fastify's send.
  const all: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) all[name] = value;
  Object.assign(all, headers);
  all['content-type'] = JSON_CONTENT_TYPE;
  all['content-length'] = partsByteLength(parts);
  // Before the hijack: should a header be refused, nothing was sent and the caller's error reply still can be.
  raw.writeHead(200, all);
  reply.hijack();
  writeParts(raw, parts);
  raw.end();
}
