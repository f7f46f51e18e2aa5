/** The problems loadConfig reports for `env` (none when it loads), for tests of configuration rules. */
import { ConfigError, loadConfig } from '../../src/config.js';

export function problemsOf(env: Record<string, string>, readFile?: (path: string) => string): string[] {
  try {
    loadConfig(env, readFile ? { readFile } : {});
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}
