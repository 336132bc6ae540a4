// Supabase Edge Function entry: pg_cron → pg_net → one time-boxed backfill slice. Logic: src/edge-functions/backfill-tick.ts.
import {
  DEFAULT_TICK_BUDGET_MS,
  EDGE_WALL_CLOCK_LIMIT_MS,
  handleBackfillTick,
} from '../../../src/edge-functions/backfill-tick.ts';
import { createGitHubClientFor, githubAuthFromEnv } from '../../../src/github/auth-env.ts';
import { createSupabaseStore } from '../../../src/store/supabase.ts';
import { edgeRuntimeWaitUntil, positiveNumberEnv, requiredEnv } from '../_shared/env.ts';

// created once per isolate and reused by every request it serves
const serviceRoleKey = requiredEnv('SUPABASE_SERVICE_ROLE_KEY');
const store = createSupabaseStore(requiredEnv('SUPABASE_URL'), serviceRoleKey);
// a GitHub App (GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY [+ GITHUB_APP_INSTALLATION_ID]) or GITHUB_TOKEN
const auth = githubAuthFromEnv(Deno.env.toObject());
if (!auth)
  throw new Error('set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (supabase secrets set …)');
const github = createGitHubClientFor(auth, {
  apiUrl: Deno.env.get('GITHUB_API_URL') || 'https://api.github.com',
});
const deps = {
  store,
  github,
  budgetMs: positiveNumberEnv('BACKFILL_TICK_BUDGET_MS', DEFAULT_TICK_BUDGET_MS),
  wallClockLimitMs: positiveNumberEnv('BACKFILL_WALL_CLOCK_LIMIT_MS', EDGE_WALL_CLOCK_LIMIT_MS),
  // the service role key (what the pg_cron job sends by default) or a dedicated secret
  authorizedTokens: [serviceRoleKey, Deno.env.get('BACKFILL_TICK_SECRET') ?? ''].filter(Boolean),
  waitUntil: edgeRuntimeWaitUntil(),
};

Deno.serve((request) => handleBackfillTick(request, deps));
