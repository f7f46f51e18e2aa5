/**
 * Reads a `multipart/form-data` body as it streams in (@fastify/multipart over busboy), with the same
 * bounds as a JSON body: every byte of every part counts against one allowance of the REST body limit
 * (413 past it), each file stops being read at its own limit (reported, not buffered), and the number
 * of files and fields is capped by the parser. Nothing is written to disk; files end up in memory, as a
 * JSON body with data URIs would, and only up to the limits.
 *
 * Budget hook: `ByteAllowance` is the one place bytes are admitted. A process-wide in-flight budget
 * (shared with JSON bodies) plugs in by reserving in `take` and giving back in `release`.
 */
import type {} from '@fastify/multipart'; // its FastifyRequest augmentation: `parts()`
import type { FastifyRequest } from 'fastify';
import { GatewayError, isGatewayError } from '../errors.js';
import { RestRequestError } from './openai-errors.js';

export interface MultipartLimits {
  /** All parts together, in bytes (HTTP_BODY_LIMIT_BYTES). */
  readonly totalBytes: number;
  /** One file, in bytes (MAX_REFERENCE_IMAGE_BYTES). */
  readonly fileBytes: number;
  /** One text field, in bytes (room for a data URI of a file at the file limit). */
  readonly fieldBytes: number;
  readonly maxFiles: number;
  readonly maxFields: number;
}

/** A text field, in the order received. */
export interface FormField {
  readonly name: string;
  readonly value: string;
}

/** A file part. `tooLarge`: it went past `fileBytes` and was not kept (`data` is empty). */
export interface FormFile {
  readonly name: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly data: Buffer;
  readonly tooLarge: boolean;
}

export interface MultipartForm {
  readonly fields: readonly FormField[];
  readonly files: readonly FormFile[];
}

/** Bytes admitted for one request. */
export interface ByteAllowance {
  /** Admits `bytes` more, or throws PAYLOAD_TOO_LARGE. */
  take(bytes: number): void;
  /** Gives everything back (the request is done with its bytes). */
  release(): void;
}

export function createByteAllowance(limit: number): ByteAllowance {
  let used = 0;
  return {
    take(bytes) {
      used += bytes;
      if (used > limit) throw new GatewayError('PAYLOAD_TOO_LARGE', `request body is larger than the limit of ${limit} bytes`);
    },
    release() {
      used = 0;
    },
  };
}

/** Options to register @fastify/multipart with: an over-large file is reported by `readMultipartForm`
 *  (naming it) instead of failing the whole body. A fresh object each time: the plugin writes to it. */
export function multipartPluginOptions(): { throwFileSizeLimit: boolean } {
  return { throwFileSizeLimit: false };
}

/** Reads every part; throws RestRequestError / GatewayError for a body that breaks the bounds. */
export async function readMultipartForm(request: FastifyRequest, limits: MultipartLimits, allowance: ByteAllowance): Promise<MultipartForm> {
  const fields: FormField[] = [];
  const files: FormFile[] = [];
  const parts = request.parts({
    limits: { fileSize: limits.fileBytes, files: limits.maxFiles, fields: limits.maxFields, fieldSize: limits.fieldBytes, parts: limits.maxFiles + limits.maxFields },
  });
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.valueTruncated) throw new RestRequestError('invalid_value', `form field ${part.fieldname} is longer than ${limits.fieldBytes} bytes`, [{ field: part.fieldname, description: 'too long' }]);
        const value = typeof part.value === 'string' ? part.value : String(part.value);
        allowance.take(Buffer.byteLength(value) + Buffer.byteLength(part.fieldname));
        fields.push({ name: part.fieldname, value });
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of part.file as AsyncIterable<Buffer>) {
        allowance.take(chunk.length);
        chunks.push(chunk);
      }
      const tooLarge = part.file.truncated;
      files.push({ name: part.fieldname, filename: part.filename, mimeType: part.mimetype, data: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge });
    }
  } catch (error) {
    throw formError(error, limits);
  }
  return { fields, files };
}

/** The parser's own errors in our shapes. */
function formError(error: unknown, limits: MultipartLimits): unknown {
  if (isGatewayError(error) || !(error instanceof Error) || !('code' in error)) return error;
  switch (error.code) {
    case 'FST_FILES_LIMIT':
      return new RestRequestError('invalid_value', `at most ${limits.maxFiles} files per request`, [{ field: 'image', description: 'too many files' }]);
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new RestRequestError('invalid_value', `at most ${limits.maxFields} form fields per request`, []);
    case 'FST_PROTO_VIOLATION':
      return new RestRequestError('invalid_value', 'a form field name is not allowed', []);
    default:
      // Malformed multipart data (no boundary, a part cut short): the caller's fault, with busboy's message.
      return new RestRequestError('invalid_value', `malformed multipart body: ${error.message}`, []);
  }
}
