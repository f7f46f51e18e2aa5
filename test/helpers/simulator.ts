/**
 * Starts a Seedream upstream simulator on 127.0.0.1:0 for a test and closes it afterwards.
 *
 * ```ts
 * const sim = await startSimulator({ latencyMs: 0 });
 * afterAll(() => sim.close());
 * // point an Ark client at sim.arkBaseUrl with sim.apiKey; a relay client at sim.relayBaseUrl
 * sim.simulator.faults.enqueue({ kind: 'status', status: 429 });
 * await sim.simulator.requests.waitFor((r) => r.aborted);
 * ```
 */
import { drawPattern } from '../../src/simulator/imaging/pattern.js';
import { encodeJpeg } from '../../src/simulator/imaging/jpeg.js';
import { encodePng } from '../../src/simulator/imaging/png.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

/** The key the test simulator requires (unless `apiKey` is overridden). */
export const SIMULATOR_TEST_KEY = 'sk-simulator-test';

export interface TestSimulator {
  /** The simulator itself: `faults`, `requests`. */
  readonly simulator: Simulator;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Ark base URL (`…/api/v3`): post to `${arkBaseUrl}/images/generations`. */
  readonly arkBaseUrl: string;
  /** OpenAI-compatible relay base URL (`…/v1`): post to `${relayBaseUrl}/images/generations`. */
  readonly relayBaseUrl: string;
  /** The Bearer key to send. */
  readonly apiKey: string;
  close(): Promise<void>;
}

/** Starts a simulator (default: no latency, key SIMULATOR_TEST_KEY) and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<TestSimulator> {
  const apiKey = options.apiKey ?? SIMULATOR_TEST_KEY;
  const simulator = createSimulator({ latencyMs: 0, ...options, apiKey });
  const url = await simulator.listen();
  return { simulator, url, arkBaseUrl: `${url}/api/v3`, relayBaseUrl: `${url}/v1`, apiKey, close: () => simulator.close() };
}

/** A valid reference image as a data URI (default a 64×64 PNG; the upstream needs sides > 14 px). */
export function referenceImageDataUri(options: { format?: 'png' | 'jpeg'; width?: number; height?: number } = {}): string {
  const { format = 'png', width = 64, height = 64 } = options;
  const pattern = drawPattern({ prompt: 'reference', seed: 1, index: 0, width, height, watermark: false });
  const bytes = format === 'png' ? encodePng(pattern, width, height) : encodeJpeg(pattern, width, height);
  return `data:image/${format};base64,${bytes.toString('base64')}`;
}
