#!/usr/bin/env node
/**
 * The command-line client (`npm run client -- "a prompt" --model doubao-seedream-4-5 --out ./images`):
 * streams images from the gateway, shows progress as each arrives and saves the files. The environment
 * is read through loadClientEnv (only src/config.ts reads variables); Ctrl-C cancels the call.
 */
import { readFile } from 'node:fs/promises';
import { loadClientEnv } from '../config.js';
import { runClient } from './run-client.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

runClient(process.argv.slice(2), loadClientEnv(process.env), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  fetch,
  readFile: (path) => readFile(path, 'utf8'),
  now: Date.now,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
