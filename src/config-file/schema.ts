/**
 * The schema of the gateway config file (GATEWAY_CONFIG_FILE, JSON or YAML): channels, caller keys with
 * their roles and limits, the routing rules and the state store. Every field is documented in
 * docs/config-file.md; unknown fields are rejected so a typo is an error, not a silently ignored line.
 */
import { z } from 'zod';

const positiveInt = (max: number) => z.number().int().min(1).max(max);
const money = z.number().min(0).max(1e9);

/** A secret is never written in the file itself: it is read from an environment variable or a file. */
const secretRef = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }),
  z.strictObject({ file: z.string().min(1) }),
]);

/** A served model: a catalog name, or a catalog name with the id this channel expects instead. */
const servedModel = z.union([
  z.string().min(1),
  z.strictObject({ model: z.string().min(1), upstreamId: z.string().min(1).max(200) }),
]);

const channelSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores'),
  kind: z.enum(['ark', 'openai-compatible', 'simulator']),
  /** cn = Volcengine Ark, international = BytePlus ModelArk; decides the default model ids. */
  region: z.enum(['cn', 'international']).optional(),
  baseUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  keys: z.array(secretRef).max(100).default([]),
  models: z.array(servedModel).min(1).optional(),
  priority: z.number().int().min(-1000).max(1000).default(0),
  weight: z.number().int().min(1).max(1000).default(1),
  maxConcurrency: positiveInt(1_000_000).optional(),
  imagesPerMinute: positiveInt(10_000_000).optional(),
});

const callerSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores'),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the SHA-256 of the key in hex (64 digits)'),
  /** admin: may read every caller's usage. */
  role: z.enum(['caller', 'admin']).default('caller'),
  requestsPerMinute: positiveInt(10_000_000).optional(),
  imagesPerMinute: positiveInt(10_000_000).optional(),
  maxConcurrency: positiveInt(1_000_000).optional(),
  /** Estimated spend per UTC day / calendar month, in the pricing currency (PRICE_CURRENCY). */
  dailyBudget: money.optional(),
  monthlyBudget: money.optional(),
});

const storeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('memory') }),
  z.strictObject({
    kind: z.literal('redis'),
    url: z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }),
    keyPrefix: z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/).default('seedream-gateway'),
  }),
]);

const routingSchema = z.strictObject({
  breakerFailures: positiveInt(1000).optional(),
  breakerCooldownMs: z.number().int().min(100).max(3_600_000).optional(),
  maxQueueWaitMs: z.number().int().min(0).max(600_000).optional(),
  /** The length of a "minute" for every per-minute limit; only tests should shorten it. */
  rateWindowMs: z.number().int().min(1000).max(3_600_000).optional(),
});

export const configFileSchema = z.strictObject({
  channels: z.array(channelSchema).min(1).optional(),
  callers: z.array(callerSchema).optional(),
  routing: routingSchema.optional(),
  store: storeSchema.optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
export type ChannelEntry = z.infer<typeof channelSchema>;
export type CallerEntry = z.infer<typeof callerSchema>;
export type SecretRef = z.infer<typeof secretRef>;

/** `channels[1].baseUrl` from a zod issue path. */
export function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `${text === '' ? '' : '.'}${String(part)}`;
  return text === '' ? '(file)' : text;
}
