/**
 * What every command gets: where to write, the environment, whether a terminal is attached, the stop signal, and
 * the one place output passes through so that no token, key or database password is ever printed.
 */
import { connectionUrlSecrets, redactSecrets } from '../domain/redact.ts';

export interface Writable {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** a terminal is attached to stderr: progress bars instead of log lines */
  isTTY: boolean;
  /** aborted on SIGINT/SIGTERM by the bin; the engine then finishes its page and records the run as interrupted */
  signal?: AbortSignal;
}

export interface CliContext {
  io: CliIo;
  env: Record<string, string | undefined>;
  signal: AbortSignal | undefined;
  /** secret values known to this process (token, service-role key, database passwords), for redaction */
  secrets: string[];
  redact(text: string): string;
  out(line: string): void;
  err(line: string): void;
}

const SECRET_ENV = [
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'PB_DATABASE_URL',
];

export function createContext(io: CliIo, argv: readonly string[]): CliContext {
  const secrets: string[] = [];
  for (const name of SECRET_ENV) {
    const value = io.env[name];
    if (value) secrets.push(value, ...connectionUrlSecrets(value));
  }
  // Flags can carry secrets too (a --database-url with its password): scrub every argument that parses as one.
  for (const arg of argv) secrets.push(...connectionUrlSecrets(arg.replace(/^--[\w-]+=/, '')));
  const redact = (text: string) => redactSecrets(text, secrets);
  return {
    io,
    env: io.env,
    signal: io.signal,
    secrets,
    redact,
    out: (line) => io.stdout.write(`${redact(line)}\n`),
    err: (line) => io.stderr.write(`${redact(line)}\n`),
  };
}
