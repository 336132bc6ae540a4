/**
 * Starts a throwaway PostgreSQL server from Debian's server binaries (installed by .ci/run) in a temporary folder,
 * tuned for tests (no fsync). Shared by the vitest global setup and the benchmark scripts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempPostgres {
  /** superuser URL of the `postgres` database */
  adminUrl: string;
  pgCronAvailable: boolean;
  stop(): void;
}

function findPgBin(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root))
    throw new Error('PostgreSQL server binaries not found: run .ci/run or set DATABASE_URL');
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no initdb under /usr/lib/postgresql: run .ci/run or set DATABASE_URL');
  return join(root, versions[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startTempPostgres(): Promise<TempPostgres> {
  const bin = findPgBin();
  const dir = mkdtempSync(join(tmpdir(), 'pb-pg-'));
  const asRoot = process.getuid?.() === 0;
  // Postgres refuses to run as root: hand the data directory to the postgres user and run the binaries as it.
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...args] : args;
    return execFileSync(asRoot ? 'runuser' : join(bin, cmd), full, { stdio: 'pipe' });
  };
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  else chownSync(dir, process.getuid!(), process.getgid!());
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const pgCronAvailable = existsSync(join(bin, '..', 'lib', 'pg_cron.so'));
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    ...(pgCronAvailable ? ['-c shared_preload_libraries=pg_cron', '-c cron.database_name=postgres'] : []),
  ].join(' ');
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pgCronAvailable,
    stop() {
      const stopArgs = ['-D', data, '-m', 'immediate', '-w', 'stop'];
      if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...stopArgs]);
      else spawnSync(join(bin, 'pg_ctl'), stopArgs);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
