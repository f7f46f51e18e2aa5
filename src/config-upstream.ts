/**
 * The environment's single upstream (UPSTREAM_KIND, ARK_*, OPENAI_COMPATIBLE_*) as the Config's
 * UpstreamConfig, reading key files where given. A config file with channels replaces all of it
 * (src/config-file/); loadConfig refuses the two together. Problems are added to loadConfig's list.
 */
import type { EnvKeys } from './config-keys.js';
import type { UpstreamConfig } from './config-types.js';
import type { Region } from './models/types.js';

/** A base URL without trailing slashes, so paths can be joined with one. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function buildUpstream(e: EnvKeys, readFile: (path: string) => string, problems: string[]): UpstreamConfig | undefined {
  const arkKey = e.ARK_API_KEY ?? readSecretFile('ARK_API_KEY_FILE', e.ARK_API_KEY_FILE, readFile, problems);
  const kind = e.UPSTREAM_KIND ?? (arkKey !== undefined ? 'ark' : 'simulator');
  const region = e.ARK_REGION ?? (e.ARK_BASE_URL?.includes('bytepluses.com') ? 'international' : 'cn');
  switch (kind) {
    case 'simulator':
      return { kind, region };
    case 'ark': {
      if (arkKey === undefined) problems.push('ARK_API_KEY: required when UPSTREAM_KIND is ark');
      const baseUrl = e.ARK_BASE_URL ?? defaultArkBaseUrls[region];
      return { kind, baseUrl: trimSlash(baseUrl), apiKey: arkKey ?? '', region, endpointIds: e.ARK_ENDPOINT_IDS };
    }
    case 'openai-compatible': {
      const key =
        e.OPENAI_COMPATIBLE_API_KEY ??
        readSecretFile('OPENAI_COMPATIBLE_API_KEY_FILE', e.OPENAI_COMPATIBLE_API_KEY_FILE, readFile, problems);
      if (e.OPENAI_COMPATIBLE_BASE_URL === undefined) {
        problems.push('OPENAI_COMPATIBLE_BASE_URL: required when UPSTREAM_KIND is openai-compatible');
      }
      if (key === undefined) problems.push('OPENAI_COMPATIBLE_API_KEY: required when UPSTREAM_KIND is openai-compatible');
      return { kind, baseUrl: trimSlash(e.OPENAI_COMPATIBLE_BASE_URL ?? ''), apiKey: key ?? '', region };
    }
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown upstream kind ${String(unreachable)}`);
    }
  }
}

/** The environment's single-upstream keys, which a config file with channels replaces. */
export const upstreamEnvKeys = [
  'UPSTREAM_KIND',
  'ARK_API_KEY',
  'ARK_API_KEY_FILE',
  'ARK_REGION',
  'ARK_BASE_URL',
  'ARK_ENDPOINT_IDS',
  'OPENAI_COMPATIBLE_BASE_URL',
  'OPENAI_COMPATIBLE_API_KEY',
  'OPENAI_COMPATIBLE_API_KEY_FILE',
] as const;

/** Default Ark base URLs per region (reference §0). */
export const defaultArkBaseUrls: Readonly<Record<Region, string>> = {
  cn: 'https://ark.cn-beijing.volces.com/api/v3',
  international: 'https://ark.ap-southeast.bytepluses.com/api/v3',
};

function readSecretFile(
  envName: string,
  path: string | undefined,
  readFile: (p: string) => string,
  problems: string[],
): string | undefined {
  if (path === undefined) return undefined;
  try {
    const value = readFile(path).trim();
    if (value === '') problems.push(`${envName}: ${path} is empty`);
    return value === '' ? undefined : value;
  } catch {
    problems.push(`${envName}: cannot read ${path}`);
    return undefined;
  }
}
