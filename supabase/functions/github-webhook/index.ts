// Supabase Edge Function entry: GitHub → webhook → pull_requests. All logic lives in src/edge-functions/github-webhook.ts.
import { handleGitHubWebhook } from '../../../src/edge-functions/github-webhook.ts';
import { createSupabaseStore } from '../../../src/store/supabase.ts';
import { requiredEnv } from '../_shared/env.ts';

// one store (one HTTP client) per isolate, reused across requests
const store = createSupabaseStore(requiredEnv('SUPABASE_URL'), requiredEnv('SUPABASE_SERVICE_ROLE_KEY'));
const secret = requiredEnv('GITHUB_WEBHOOK_SECRET');

Deno.serve((request) => handleGitHubWebhook(request, { store, secret }));
