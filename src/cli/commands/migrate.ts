/** `migrate`: apply supabase/migrations to a Postgres database (idempotent), or create/upgrade the embedded one. */
import { Command } from 'commander';
import { ConfigError } from '../../engine/options.ts';
import { ExitCode } from '../../shared-entry/exit-codes.ts';
import { openBackend } from '../../shared-entry/open-store.ts';
import type { CliContext } from '../context.ts';
import { addDatabaseOptions, addJsonOption, type DatabaseFlags, storeBackend } from '../shared-options.ts';

interface MigrateFlags extends DatabaseFlags {
  json?: boolean;
}

export function migrateCommand(ctx: CliContext, done: (code: number) => void): Command {
  const command = new Command('migrate').description(
    'Apply the schema (supabase/migrations) to a Postgres database; safe to run again. ' +
      'Without --database-url it creates or upgrades the embedded database in --data-dir.',
  );
  addDatabaseOptions(command);
  addJsonOption(command, 'the result');
  return command.action(async (flags: MigrateFlags) => {
    const backend = storeBackend(flags, ctx);
    let target: string;
    if (backend.kind === 'supabase') {
      throw new ConfigError(
        'supabase-url',
        'migrate needs a Postgres connection: pass the project connection string (Project Settings → Database) ' +
          'with --database-url, or run `supabase db push` in a checkout of this repository',
      );
    }
    if (backend.kind === 'postgres') {
      const { migrateDatabase } = await import('../../store/postgres.ts');
      const result: unknown = await migrateDatabase(backend.databaseUrl);
      target = describeUrl(backend.databaseUrl);
      report(ctx, flags.json === true, target, result);
    } else {
      // The embedded database is migrated whenever it is opened.
      const store = await openBackend(backend);
      await store.close();
      target = backend.dataDir ?? 'in-memory database';
      report(ctx, flags.json === true, target, undefined);
    }
    done(ExitCode.Ok);
  });
}

/** host/database only: the URL's user and password stay out of the output. */
function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
}

function report(ctx: CliContext, json: boolean, target: string, result: unknown): void {
  const applied = (result as { applied?: unknown } | undefined)?.applied;
  const list = Array.isArray(applied) ? applied.map(String) : null;
  if (json) {
    ctx.out(JSON.stringify({ database: target, ...(list ? { applied: list } : {}), upToDate: true }));
    return;
  }
  if (list && list.length > 0) for (const id of list) ctx.out(`applied ${id}`);
  ctx.out(
    list && list.length === 0 ? `${target}: schema already up to date` : `${target}: schema is up to date`,
  );
}
