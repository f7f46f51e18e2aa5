/**
 * The official OpenAI SDK pointed at the adapter — only `baseURL` and `apiKey` set (retries off so
 * error tests see one request). Seedream fields travel as extra body keys: openai-node sends the body
 * object as it is, so the SDK's narrower parameter types are widened with a cast here.
 */
import OpenAI from 'openai';
import type { ImageGenerateParamsNonStreaming, ImageGenerateParamsStreaming } from 'openai/resources/images';
import { API_KEY } from './rest-harness.js';

export function sdkClient(origin: string, apiKey = API_KEY): OpenAI {
  return new OpenAI({ baseURL: `${origin}/v1`, apiKey, maxRetries: 0 });
}

/** Non-streaming params with Seedream fields (`image`, `sequential_image_generation`, tier sizes…). */
export function seedream(params: { model: string; prompt: string } & Record<string, unknown>): ImageGenerateParamsNonStreaming {
  return params as unknown as ImageGenerateParamsNonStreaming;
}

/** Streaming params with Seedream fields. */
export function seedreamStream(params: { model: string; prompt: string } & Record<string, unknown>): ImageGenerateParamsStreaming {
  return { ...params, stream: true } as unknown as ImageGenerateParamsStreaming;
}
