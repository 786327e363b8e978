#!/usr/bin/env node
import { runCli } from './cli/index.js';
import { ConfigError, processIo } from './config/index.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), processIo());
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  // A .env file that cannot be read fails before any command runs.
  const configuration = err instanceof ConfigError;
  process.stderr.write(
    `qrlink: ${configuration ? 'configuration error' : 'unexpected error'}: ${message}\n`,
  );
  process.exitCode = configuration ? 78 : 1;
}
