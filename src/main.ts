/**
 * The gateway process (`npm start`): load and validate the config, build the app, listen, and log the
 * bound addresses as one JSON line (`"addresses": {"grpc": "host:port"}`; scripts and the start-up test
 * parse it). SIGTERM/SIGINT stop it gracefully and exit 0; a second signal exits at once.
 */
import { createApp, StartupError, type App } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { flushLogger, type Logger } from './telemetry/logger.js';
import { runningTelemetry } from './telemetry/sdk.js';

async function main(): Promise<void> {
  const app = await createApp(loadConfig(process.env));
  const addresses = await app.start();
  app.logger.info({ addresses }, 'seedream-gateway listening');
  handleSignals(app);
}

function handleSignals(app: App): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // The operator does not want to wait for the drain.
      app.logger.warn({ signal }, 'second signal: exiting without waiting for in-flight calls');
      void exitAfterFlush(app.logger, 128 + (signal === 'SIGINT' ? 2 : 15));
      return;
    }
    stopping = true;
    app.logger.info({ signal }, 'signal received');
    app.stop().then(
      () => exitAfterFlush(app.logger, 0),
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        return exitAfterFlush(app.logger, 1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Spans, metrics and log lines are written asynchronously: export and write what is pending, then exit. */
async function exitAfterFlush(logger: Logger, code: number): Promise<never> {
  await runningTelemetry()?.shutdown();
  await flushLogger(logger);
  process.exit(code);
}

main().catch((error: unknown) => {
  // Configuration and start-up refusals are the operator's to fix: say what, not where in the code.
  if (error instanceof ConfigError || error instanceof StartupError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`seedream-gateway failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
