/**
 * Standard Webhooks signing (standardwebhooks.com, the scheme OpenAI and Replicate use): the receiver
 * gets `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256
 * of "<id>.<timestamp>.<body>">`, keyed with the bytes of a `whsec_<base64>` secret.
 */
import { createHmac, randomBytes } from 'node:crypto';

const secretPrefix = 'whsec_';
/** The spec asks for 24–64 random bytes. */
const minSecretBytes = 24;
const maxSecretBytes = 64;

/** The HMAC key of a `whsec_` secret; throws a message naming what is wrong (for config errors). */
export function webhookSigningKey(secret: string): Buffer {
  if (!secret.startsWith(secretPrefix)) throw new Error(`a webhook secret starts with "${secretPrefix}"`);
  const text = secret.slice(secretPrefix.length);
  const key = Buffer.from(text, 'base64');
  // Buffer.from skips characters that are not base64; a round trip shows whether any were there.
  if (key.toString('base64').replace(/=+$/, '') !== text.replace(/=+$/, '')) {
    throw new Error(`a webhook secret is "${secretPrefix}" followed by standard base64`);
  }
  if (key.length < minSecretBytes || key.length > maxSecretBytes) {
    throw new Error(`a webhook secret holds ${minSecretBytes}–${maxSecretBytes} bytes, this one ${key.length}`);
  }
  return key;
}

/** A new random secret in the `whsec_` form, for operators to put in config. */
export function newWebhookSecret(): string {
  return secretPrefix + randomBytes(32).toString('base64');
}

/** The `webhook-signature` header value for one message. */
export function webhookSignature(key: Buffer, messageId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}
