/**
 * Telemetry bootstrap, loaded before the application with `node --import ./dist/src/telemetry/register.js`
 * so the SDK (context manager, propagator, providers) is in place before gRPC, undici or any module of
 * the gateway loads. Invalid configuration is left for main.ts to report in full.
 */
import { ConfigError, loadConfig } from '../config.js';
import { startTelemetry } from './sdk.js';

try {
  startTelemetry(loadConfig(process.env).telemetry);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
}
