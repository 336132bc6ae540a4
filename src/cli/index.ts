#!/usr/bin/env node
/**
 * The bin. The first SIGINT/SIGTERM asks the engine to stop gracefully: it finishes the page in flight, releases
 * its leases and records the run as interrupted. A second signal means "now": exit at once (the leases then expire
 * and `recover` or the next run picks the chunks up).
 */
import { ExitCode } from '../shared-entry/exit-codes.ts';
import { main } from './main.ts';

const stop = new AbortController();

function onSignal(signal: NodeJS.Signals): void {
  if (stop.signal.aborted) {
    process.stderr.write(`\n${signal} again: exiting immediately\n`);
    process.exit(ExitCode.Interrupted);
  }
  process.stderr.write(
    `\n${signal}: finishing the page in flight and saving progress (send again to exit now)\n`,
  );
  stop.abort();
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await main(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: Boolean(process.stderr.isTTY),
  signal: stop.signal,
});
process.exitCode = code;
