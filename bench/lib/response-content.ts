/**
 * Full checks of one answer's content: every image delivered, no failure items, no error frames, and
 * how much base64 it carried. Ark JSON and Ark SSE (docs/simulator.md "Answers", "Streaming") — the
 * gateway's REST adapter answers in the same shapes.
 */

/** What one answer delivered. */
export interface AnswerContent {
  readonly images: number;
  /** Base64 characters of inline images (for gRPC bytes: the base64 length they would have). */
  readonly base64Bytes: number;
}

interface ArkItem {
  readonly url?: string;
  readonly b64_json?: string;
  readonly error?: unknown;
}

/** A JSON body `{data: [{url|b64_json}…]}`. */
export function inspectArkJson(body: string): AnswerContent {
  const parsed = JSON.parse(body) as { data?: readonly ArkItem[] };
  if (!Array.isArray(parsed.data)) throw new Error(`answer without data[]: ${body.slice(0, 300)}`);
  return sumItems(parsed.data, body);
}

/** An SSE body: `partial_succeeded` events, `completed`, then `data: [DONE]`; any failure or error throws. */
export function inspectArkSse(body: string): AnswerContent {
  const items: ArkItem[] = [];
  let completed = false;
  let done = false;
  for (const frame of body.split('\n\n')) {
    const data = frame.split('\n').find((line) => line.startsWith('data: '))?.slice(6);
    if (data === undefined) continue; // comment (heartbeat) or trailing empty frame
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const event = JSON.parse(data) as ArkItem & { type?: string };
    if (event.type === 'image_generation.partial_succeeded') items.push(event);
    else if (event.type === 'image_generation.completed') completed = true;
    else throw new Error(`unexpected stream event: ${data.slice(0, 300)}`);
  }
  if (!completed || !done) throw new Error(`stream ended without completed and [DONE]: …${body.slice(-300)}`);
  return sumItems(items, body);
}

/** The base64 length of `bytes` raw bytes (padded, as b64_json carries them). */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

function sumItems(items: readonly ArkItem[], body: string): AnswerContent {
  let base64Bytes = 0;
  for (const item of items) {
    if (item.error !== undefined || (item.url === undefined && item.b64_json === undefined)) {
      throw new Error(`answer with a failed image: ${body.slice(0, 300)}`);
    }
    base64Bytes += item.b64_json?.length ?? 0;
  }
  if (items.length === 0) throw new Error(`answer without images: ${body.slice(0, 300)}`);
  return { images: items.length, base64Bytes };
}
