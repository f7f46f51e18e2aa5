/**
 * The adapter's HTTP edge over raw HTTP: auth, body limit, malformed JSON, content type, unknown routes
 * and methods, unknown fields, warnings for OpenAI-only fields, `image` vs `image_input`, and `param`
 * spelled the way the caller sent the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceImageDataUri } from '../helpers/simulator.js';
import { completed, image } from '../helpers/scripted-upstream.js';
import { rawRequest, type RawResponse } from './helpers/raw-http.js';
import { API_KEY, startScripted, type RestHarness } from './helpers/rest-harness.js';
import type { ScriptedUpstream } from '../helpers/scripted-upstream.js';

let harness: RestHarness & { upstream: ScriptedUpstream };
beforeAll(async () => {
  harness = await startScripted(async function* (call) {
    const setSize = call.request.imageSet?.maxImages ?? 1;
    for (let index = 0; index < setSize; index++) yield image(index);
    yield completed(setSize);
  }, { env: { HTTP_BODY_LIMIT_BYTES: '4096' } });
});
afterAll(() => harness.close());

const auth = { authorization: `Bearer ${API_KEY}` };
const jsonHeaders = { ...auth, 'content-type': 'application/json' };

function post(body: unknown, headers: Record<string, string> = jsonHeaders): Promise<RawResponse> {
  return rawRequest(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const base = { model: 'doubao-seedream-4-5-251128', prompt: 'a red kite' };
const errorOf = (res: RawResponse) => (res.json() as { error: { message: string; type: string; param: string | null; code: string } }).error;

describe('authentication', () => {
  it('answers 401 with WWW-Authenticate when the key is missing', async () => {
    const res = await post(base, { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="seedream-gateway"');
    expect(errorOf(res)).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key', param: null });
  });

  it('answers 401 for a wrong key, before reading the body', async () => {
    const res = await post('x'.repeat(100_000), { 'content-type': 'application/json', authorization: 'Bearer sk-nope' });
    expect(res.status).toBe(401);
  });

  it('protects /v1/models too, but not the probes', async () => {
    expect((await rawRequest(harness.url, { path: '/v1/models' })).status).toBe(401);
    expect((await rawRequest(harness.url, { path: '/healthz' })).status).toBe(200);
    expect((await rawRequest(harness.url, { path: '/readyz' })).status).toBe(200);
  });

  it('accepts any caller when the verifier runs open', async () => {
    const open = await startScripted(async function* () {
      yield image(0);
      yield completed(1);
    }, { open: true });
    try {
      const res = await rawRequest(open.url, { method: 'POST', path: '/v1/images/generations', headers: { 'content-type': 'application/json' }, body: JSON.stringify(base) });
      expect(res.status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('request bodies', () => {
  it('answers 413 in the envelope for a body over the limit', async () => {
    const res = await post({ ...base, prompt: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(errorOf(res)).toEqual({ message: 'request body is larger than the limit of 4096 bytes', type: 'invalid_request_error', param: null, code: 'payload_too_large' });
  });

  it('answers 413 for a chunked body that grows over the limit', async () => {
    const res = await post(JSON.stringify({ ...base, prompt: 'x'.repeat(5000) }), { ...jsonHeaders, 'transfer-encoding': 'chunked' });
    expect(res.status).toBe(413);
  });

  it('answers 400 invalid_json for malformed JSON', async () => {
    const res = await post('{"model": "doubao-seedream-4-5", ');
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({ message: 'the request body is not valid JSON', type: 'invalid_request_error', param: null, code: 'invalid_json' });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])('answers 400 for Content-Type %s', async (type) => {
    const res = await post(base, { ...auth, 'content-type': type });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(errorOf(res)).toMatchObject({ code: 'invalid_content_type', message: 'Content-Type must be application/json' });
  });

  it('answers 400 for a body without Content-Type', async () => {
    const res = await post(base, auth);
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'invalid_content_type' });
  });

  it('answers 400 invalid_json for an empty JSON body', async () => {
    const res = await post('', jsonHeaders);
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'invalid_json' });
  });

  it('accepts application/json with a charset', async () => {
    expect((await post(base, { ...auth, 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('answers 400 when the body is not an object', async () => {
    const res = await post('[1,2]');
    expect(errorOf(res)).toMatchObject({ code: 'invalid_value', message: 'the request body must be a JSON object' });
  });

  it('rejects an unknown field in OpenAI\'s words, naming it', async () => {
    const res = await post({ ...base, negative_prompt: 'blur' });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({ message: 'Unrecognized request argument supplied: negative_prompt', type: 'invalid_request_error', param: 'negative_prompt', code: 'unknown_parameter' });
  });

  it('rejects unknown nested fields with their path', async () => {
    const res = await post({ ...base, optimize_prompt_options: { mode: 'standard', speed: 'high' } });
    expect(errorOf(res)).toMatchObject({ param: 'optimize_prompt_options.speed', code: 'unknown_parameter' });
  });

  it('rejects __proto__ as an unknown field', async () => {
    const res = await post(`{"model":"doubao-seedream-4-5","prompt":"p","__proto__":{"admin":true}}`);
    expect(errorOf(res)).toMatchObject({ param: '__proto__', code: 'unknown_parameter' });
  });

  it.each([
    [{ n: '2' }, 'n', 'n: must be a number, not a string'],
    [{ n: 1.5 }, 'n', 'n: must be an integer, not a number'],
    [{ response_format: 'png' }, 'response_format', 'response_format: must be one of "url", "b64_json"'],
    [{ prompt: undefined }, 'prompt', 'prompt: is required'],
    [{ image: 5 }, 'image', 'image: must be a string or an array of strings, not an integer'],
    [{ image_input: ['https://a.example/1.png', 7] }, 'image_input[1]', 'image_input[1]: must be a string, not an integer'],
    [{ tools: [{ type: 'code_interpreter' }] }, 'tools[0].type', 'tools[0].type: must be one of "web_search"'],
    [{ sequential_image_generation_options: { max_images: 0 } }, 'sequential_image_generation_options.max_images', 'sequential_image_generation_options.max_images: must be at least 1'],
  ])('rejects ill-typed %j naming %s', async (extra, param, message) => {
    const res = await post({ ...base, ...extra });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ param, message });
  });

  it('treats null as unset', async () => {
    const res = await post({ ...base, seed: null, user: null, size: null, quality: null });
    expect(res.status).toBe(200);
    expect(res.headers['x-seedream-warnings']).toBeUndefined();
  });
});

describe('routes', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const res = await rawRequest(harness.url, { path: '/v1/chat/completions', headers: auth });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(errorOf(res)).toMatchObject({ code: 'not_found', type: 'invalid_request_error' });
  });

  it.each([
    ['GET', '/v1/images/generations', 'POST'],
    ['PUT', '/v1/images/generations', 'POST'],
    ['DELETE', '/v1/models', 'GET, HEAD'],
    ['POST', '/v1/models/seedream-4-5', 'GET, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const res = await rawRequest(harness.url, { method, path, headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(errorOf(res)).toMatchObject({ code: 'method_not_allowed' });
  });
});

describe('OpenAI-only fields and warnings', () => {
  it('ignores quality, style, background, moderation, output_compression and partial_images with warnings', async () => {
    const res = await post({ ...base, quality: 'hd', style: 'vivid', background: 'transparent', moderation: 'low', output_compression: 80, partial_images: 2 });
    expect(res.status).toBe(200);
    const body = res.json() as { warnings: string[] };
    expect(body.warnings).toEqual([
      'quality is not supported by Seedream and was ignored',
      'style is not supported by Seedream and was ignored',
      'moderation is not supported by Seedream and was ignored',
      'output_compression is not supported by Seedream and was ignored',
      'partial_images is not supported by Seedream and was ignored',
      // background is Seedream 5.5's own option: other models warn by name.
      'background is not supported by Seedream 4.5 and was ignored',
    ]);
    expect(res.headers['x-seedream-warnings']).toBe(body.warnings.join('; '));
  });

  it('warns that sequential_image_generation_options has no effect without auto', async () => {
    const res = await post({ ...base, sequential_image_generation_options: { max_images: 4 } });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ data: [{ url: expect.any(String) }], warnings: [expect.stringContaining('sequential_image_generation_options has no effect')] });
    expect(harness.upstream.calls.at(-1)?.request.imageSet).toBeUndefined();
  });

  it('reports warnings of a stream in the header and the completed event', async () => {
    const res = await post({ ...base, stream: true, quality: 'high' });
    expect(res.headers['x-seedream-warnings']).toBe('quality is not supported by Seedream and was ignored');
    expect(res.text).toContain('"warnings":["quality is not supported by Seedream and was ignored"]');
  });
});

describe('reference images and param spelling', () => {
  const bad = 'data:image/PNG;base64,AAAA';
  const good = referenceImageDataUri();

  it('rejects image and image_input together', async () => {
    const res = await post({ ...base, image: good, image_input: good });
    expect(errorOf(res)).toMatchObject({ param: 'image_input', message: 'image_input: send reference images as image or image_input, not both' });
  });

  it.each([
    [{ image_input: [good, good, bad] }, 'image_input[2]'],
    [{ image: [good, good, bad] }, 'image[2]'],
    [{ image_input: bad }, 'image_input'],
    [{ image: bad }, 'image'],
  ])('names the bad reference image as the caller sent it: %#', async (extra, param) => {
    const res = await post({ ...base, ...extra });
    expect(res.status).toBe(400);
    const error = errorOf(res);
    expect(error.param).toBe(param);
    expect(error.message.startsWith(`${param}: `)).toBe(true);
  });

  it('names too many reference images by the field the caller used', async () => {
    const res = await post({ model: 'doubao-seedream-3-0-t2i-250415', prompt: 'p', image_input: ['https://a.example/x.png'] });
    expect(errorOf(res)).toMatchObject({ param: 'image_input', message: expect.stringMatching(/^image_input: Seedream 3\.0 does not accept reference images/) });
  });
});
