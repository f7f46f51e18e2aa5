/**
 * Reads and validates the config file (GATEWAY_CONFIG_FILE): JSON or YAML by content, checked against
 * src/config-file/schema.ts, every problem reported with its path (`channels[1].baseUrl: …`). Secrets are
 * resolved here from the environment or files the file points to, so they never sit in the file itself.
 */
import { parse as parseYaml } from 'yaml';
import type { ChannelConfig, RoutingConfig } from '../channels/types.js';
import { defaultRouting } from '../channels/types.js';
import type { ApiKeyEntry } from '../config-types.js';
import { defaultArkBaseUrls, trimSlash } from '../config-upstream.js';
import type { StoreConfig } from '../limits/types.js';
import { findModel } from '../models/lookup.js';
import type { ModelKey, Region } from '../models/types.js';
import { configFileSchema, pathText, type CallerEntry, type ChannelEntry, type SecretRef } from './schema.js';

/** What the file contributes to the Config. */
export interface ConfigFileContent {
  /** Undefined when the file has no channels (the env-configured upstream stays the one channel). */
  readonly channels: readonly ChannelConfig[] | undefined;
  readonly callers: readonly ApiKeyEntry[];
  readonly routing: RoutingConfig;
  readonly store: StoreConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Loads `path`; pushes `GATEWAY_CONFIG_FILE: <where>: <what>` problems and returns undefined when invalid. */
export function loadConfigFile(path: string, env: Env, readFile: (p: string) => string, problems: string[]): ConfigFileContent | undefined {
  const report = (where: string, what: string) => problems.push(`GATEWAY_CONFIG_FILE: ${where}: ${what}`);
  let text: string;
  try {
    text = readFile(path);
  } catch {
    report(path, 'cannot be read');
    return undefined;
  }
  let raw: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both.
    raw = parseYaml(text, { prettyErrors: false });
  } catch (error) {
    report(path, `is neither JSON nor YAML (${error instanceof Error ? error.message.split('\n')[0] : 'parse error'})`);
    return undefined;
  }
  const parsed = configFileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report(pathText(issue.path), issue.message);
    return undefined;
  }
  const before = problems.length;
  const file = parsed.data;
  const channels = file.channels?.map((c, i) => channelFromEntry(c, `channels[${i}]`, env, readFile, report));
  const names = new Set<string>();
  file.channels?.forEach((c, i) => {
    if (names.has(c.name)) report(`channels[${i}].name`, `"${c.name}" is used by another channel`);
    names.add(c.name);
  });
  const callers = (file.callers ?? []).map(callerFromEntry);
  const routing: RoutingConfig = { ...defaultRouting, ...file.routing };
  const store: StoreConfig = file.store ?? { kind: 'memory' };
  if (problems.length > before || (channels !== undefined && channels.some((c) => c === undefined))) return undefined;
  return { channels: channels as ChannelConfig[] | undefined, callers, routing, store };
}

function channelFromEntry(
  entry: ChannelEntry,
  where: string,
  env: Env,
  readFile: (p: string) => string,
  report: (where: string, what: string) => void,
): ChannelConfig | undefined {
  const region: Region = entry.region ?? (entry.baseUrl?.includes('bytepluses.com') ? 'international' : 'cn');
  const keys = entry.keys.map((ref, k) => readSecret(ref, `${where}.keys[${k}]`, env, readFile, report));
  if (entry.kind !== 'simulator' && entry.keys.length === 0) report(`${where}.keys`, `${entry.kind} channels need at least one key`);
  if (entry.kind === 'openai-compatible' && entry.baseUrl === undefined) report(`${where}.baseUrl`, 'an openai-compatible channel needs its base URL (…/v1)');
  let models: Partial<Record<ModelKey, string | null>> | undefined;
  if (entry.models !== undefined) {
    models = {};
    for (const [m, served] of entry.models.entries()) {
      const name = typeof served === 'string' ? served : served.model;
      const found = findModel(name);
      if (found === undefined) {
        report(`${where}.models[${m}]`, `"${name}" is not a model name of the catalog`);
        continue;
      }
      models[found.entry.key] = typeof served === 'string' ? null : served.upstreamId;
    }
  }
  if (keys.some((k) => k === undefined)) return undefined;
  const baseUrl = entry.baseUrl ?? (entry.kind === 'ark' ? defaultArkBaseUrls[region] : undefined);
  return {
    name: entry.name,
    kind: entry.kind,
    region,
    baseUrl: baseUrl === undefined ? undefined : trimSlash(baseUrl),
    keys: keys as string[],
    models,
    priority: entry.priority,
    weight: entry.weight,
    maxConcurrency: entry.maxConcurrency,
    imagesPerMinute: entry.imagesPerMinute,
  };
}

function readSecret(ref: SecretRef, where: string, env: Env, readFile: (p: string) => string, report: (where: string, what: string) => void): string | undefined {
  if ('env' in ref) {
    const value = env[ref.env]?.trim();
    if (value === undefined || value === '') report(where, `environment variable ${ref.env} is not set`);
    return value === '' ? undefined : value;
  }
  let value: string;
  try {
    value = readFile(ref.file).trim();
  } catch {
    report(where, `cannot read ${ref.file}`);
    return undefined;
  }
  if (value === '') report(where, `${ref.file} is empty`);
  return value === '' ? undefined : value;
}

const toMicros = (amount: number | undefined) => (amount === undefined ? undefined : Math.round(amount * 1e6));

function callerFromEntry(entry: CallerEntry): ApiKeyEntry {
  const limits = {
    ...(entry.requestsPerMinute !== undefined && { requestsPerMinute: entry.requestsPerMinute }),
    ...(entry.imagesPerMinute !== undefined && { imagesPerMinute: entry.imagesPerMinute }),
    ...(entry.maxConcurrency !== undefined && { maxConcurrency: entry.maxConcurrency }),
    ...(entry.dailyBudget !== undefined && { dailyBudgetMicros: toMicros(entry.dailyBudget) }),
    ...(entry.monthlyBudget !== undefined && { monthlyBudgetMicros: toMicros(entry.monthlyBudget) }),
  };
  return { name: entry.name, sha256: Buffer.from(entry.sha256, 'hex'), admin: entry.role === 'admin', limits };
}
