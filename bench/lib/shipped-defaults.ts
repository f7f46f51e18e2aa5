/**
 * The gateway as it ships: tracing on (the harness's sink as OTLP endpoint) and IMAGE_HOSTING=local —
 * the default since issue 12 — so every URL answer is downloaded from the upstream and served from the
 * gateway's own signed URLs. The simulator is the upstream, so its host is the allowed download host
 * (a real deployment allows Ark's hosts by default); hosted files go to a temporary DATA_DIR.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ShippedHosting {
  readonly env: Readonly<Record<string, string>>;
  /** Removes the temporary DATA_DIR. */
  dispose(): void;
}

export function shippedHosting(simulatorUrl: string): ShippedHosting {
  const dataDir = mkdtempSync(join(tmpdir(), 'seedream-bench-shipped-'));
  return {
    env: {
      IMAGE_HOSTING: 'local',
      DATA_DIR: dataDir,
      IMAGE_SIGNING_KEY: 'bench-signing-key-bench-signing-key-0002',
      IMAGE_FETCH_ALLOWED_HOSTS: new URL(simulatorUrl).host,
    },
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
