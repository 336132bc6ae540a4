#!/usr/bin/env -S node --max-semi-space-size=2 --optimize-for-size
/**
 * The bin. Its node flags keep memory flat however long a backfill runs: the live heap stays near 25 MB, but V8's
 * default young generation (up to 3 × 16 MB) and old-generation growth factor (up to 4×) let garbage from each page's
 * JSON pile up to ~100 MB before collecting it. npm's bin shims (cmd-shim on Windows too) honour `env -S`.
 *
 * The first SIGINT/SIGTERM asks the engine to stop gracefully: it finishes the page in flight, releases
 * its leases and records the run as interrupted. A second signal means "now": exit at once (the leases then expire
 * and `recover` or the next run picks the chunks up).
 */
import '../shared-entry/lean-heap.ts';
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
