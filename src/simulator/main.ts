/**
 * Standalone simulator (`npm run simulator`): reads the SIMULATOR_* keys through loadConfig, listens, and
 * prints `Seedream simulator listening on <url>` on stdout (scripts and tests parse that line). Stops
 * cleanly on SIGINT/SIGTERM.
 */
import { ConfigError, loadConfig } from '../config.js';
import { simulatorOptionsFromConfig } from './options.js';
import { createSimulator } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env).simulator;
  const simulator = createSimulator(simulatorOptionsFromConfig(config));
  const url = await simulator.listen();
  process.stdout.write(`Seedream simulator listening on ${url}\n`);
  process.stdout.write(
    `  POST ${url}/api/v3/images/generations (also /v1/images/generations); control API under ${url}/_simulator/\n` +
      `  key: ${config.apiKey === undefined ? 'any non-empty Bearer key' : 'SIMULATOR_API_KEY'}; ` +
      `latency ${config.latencyMs} ms per image; URLs valid ${config.urlTtlMs} ms\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`received ${signal}, stopping\n`);
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
