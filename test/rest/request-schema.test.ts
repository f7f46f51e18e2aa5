/**
 * The hand-checked fast path of parseImageRequest (flat bodies) against the zod schema it stands in
 * for: every body is accepted with the same fields, or refused naming the same field, as the schema
 * alone would — the fast path only ever saves the schema's walk, never decides differently.
 */
import { describe, expect, it } from 'vitest';
import { RestRequestError } from '../../src/rest/openai-errors.js';
import { imageRequestSchema, parseImageRequest } from '../../src/rest/request-schema.js';

const base = { model: 'seedream-4.5', prompt: 'a lighthouse' };

/** Values of every kind, for every field. */
const values: readonly unknown[] = [
  null, true, false, 0, -0, 1, 2, -1, 1.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 1e308,
  '', 'url', 'b64_json', 'auto', 'disabled', 'jpeg', 'png', 'transparent', 'opaque', '2K', 'x'.repeat(2048), 'x'.repeat(2049),
  [], ['a'], [1], {}, { max_images: 2 }, { mode: 'fast' }, [{ type: 'web_search' }],
];

const fields = [
  'model', 'prompt', 'size', 'n', 'response_format', 'watermark', 'seed', 'guidance_scale', 'sequential_image_generation',
  'sequential_image_generation_options', 'stream', 'optimize_prompt_options', 'output_format', 'tools', 'user', 'webhook_url',
  'image', 'image_input', 'quality', 'style', 'background', 'moderation', 'output_compression', 'partial_images', 'unknown_field', '__proto__',
];

function outcome(body: unknown): { ok: true; request: unknown } | { ok: false; fields: string[] } {
  try {
    return { ok: true, request: parseImageRequest(body).request };
  } catch (error) {
    if (!(error instanceof RestRequestError)) throw error;
    return { ok: false, fields: error.violations.map((v) => v.field) };
  }
}

describe('parseImageRequest fast path', () => {
  it('accepts and refuses exactly what the schema does, with the same fields', () => {
    const bodies: unknown[] = [base, { ...base, n: 1, size: '2K', response_format: 'url', stream: false }, null, [], 'text', 1, {}];
    for (const field of fields) {
      for (const value of values) bodies.push(JSON.parse(JSON.stringify({ ...base, [field]: value })));
    }
    // Without the required fields, and with them of the wrong type.
    bodies.push({ prompt: 'p' }, { model: 'm' }, { model: 1, prompt: 'p' }, { model: 'm', prompt: null });
    for (const body of bodies) {
      const schema = imageRequestSchema.safeParse(body);
      const got = outcome(body);
      expect(got.ok, JSON.stringify(body)).toBe(schema.success);
      if (got.ok && schema.success) expect(got.request, JSON.stringify(body)).toEqual(schema.data);
    }
  });

  it('still names the bad field of a flat body', () => {
    expect(outcome({ ...base, n: 0 })).toEqual({ ok: false, fields: ['n'] });
    expect(outcome({ ...base, response_format: 'png' })).toEqual({ ok: false, fields: ['response_format'] });
    expect(outcome({ ...base, webhook_url: 'x'.repeat(2049) })).toEqual({ ok: false, fields: ['webhook_url'] });
    expect(outcome({ ...base, colour: 'red' })).toEqual({ ok: false, fields: ['colour'] });
  });

  it('takes JSON.parse’s own __proto__ key to the schema, which refuses it', () => {
    const body: unknown = JSON.parse('{"model":"m","prompt":"p","__proto__":{"n":1}}');
    expect(outcome(body).ok).toBe(false);
  });
});
