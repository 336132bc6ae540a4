/**
 * One page request with the engine's retry policy, on p-retry. p-retry's own delay is switched off: every wait goes
 * through the injected clock (simulated-time benchmarks, tests without sleeps), and each attempt builds its request
 * afresh from the current page size (a smaller page after a timeout).
 */
import pRetry from 'p-retry';
import {
  type FollowUpRequest,
  GitHubError,
  type PageRequest,
  type PageResult,
  type RateLimitState,
  type UpdatedPageRequest,
} from '../github/types.ts';
import type { RunContext } from './context.ts';
import type { AdaptivePageSize } from './page-size.ts';
import { mergePages, splitRequest } from './segments.ts';

export class BudgetExhausted extends Error {
  override name = 'BudgetExhausted';
}

export class StopRequested extends Error {
  override name = 'StopRequested';
}

const MAX_ATTEMPTS = 6;

const WAIT_SLICE_MS = 30_000;

/**
 * Points for one request. At the reserve, wait for GitHub's hourly reset when it comes before the run must end
 * (in slices, keeping the lease alive); otherwise the run's budget is spent.
 */
async function reservePoints(
  ctx: RunContext,
  points: number,
  onWait?: (ms: number) => Promise<void>,
): Promise<void> {
  while (!ctx.ledger.tryReserve(points, ctx.clock.now())) {
    const wait = ctx.ledger.resetsAt() - ctx.clock.now() + 1_000;
    if (ctx.ledger.pagesRemaining() <= 0)
      throw new BudgetExhausted("the run's page allowance (max-chunks) is spent");
    if (ctx.clock.now() + wait + ctx.pageTimer.ms > ctx.deadline) {
      throw new BudgetExhausted('rate-limit reserve reached; the budget resets after this run must end');
    }
    const slice = Math.min(wait, WAIT_SLICE_MS);
    await ctx.clock.sleep(slice, ctx.signal);
    if (ctx.signal.aborted) throw new StopRequested('stop requested');
    await onWait?.(slice);
  }
}

export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** attempt);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** The wait before retrying after `error`, or null when the error is not one a retry can cure. */
function retryWait(error: unknown, attempt: number): number | null {
  if (!(error instanceof GitHubError)) return null;
  if (error.kind === 'transient') return backoffMs(attempt);
  if (error.kind === 'secondary_rate_limit')
    return Math.max(error.details.retryAfterMs ?? 60_000, backoffMs(attempt));
  return null;
}

export async function fetchWithRetry<
  R extends PageRequest | UpdatedPageRequest | FollowUpRequest,
  P extends { rateLimit: RateLimitState } = PageResult,
>(
  ctx: RunContext,
  size: AdaptivePageSize,
  build: (windowSize: number) => R,
  send: (request: R) => Promise<P>,
  onWait?: (ms: number) => Promise<void>,
): Promise<{ page: P; request: R }> {
  let request: R | undefined;
  return pRetry(
    async () => {
      if (ctx.signal.aborted) throw new StopRequested('stop requested');
      request = build(size.current);
      const points = ctx.github.predictCost(request);
      await reservePoints(ctx, points, onWait);
      const started = ctx.clock.now();
      try {
        const page = await send(request);
        ctx.ledger.settle(points, page.rateLimit, page.rateLimit.cost);
        ctx.pageTimer.observe(ctx.clock.now() - started);
        size.succeeded(ctx.clock.now() - started);
        return { page, request };
      } catch (error) {
        ctx.ledger.cancel(points);
        if (error instanceof GitHubError && error.kind === 'primary_rate_limit') {
          ctx.ledger.markExhausted(error.details.resetAt);
        }
        throw error;
      }
    },
    {
      retries: MAX_ATTEMPTS - 1,
      minTimeout: 0,
      maxTimeout: 0,
      shouldRetry: ({ error }) => retryWait(error, 0) !== null,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        const attempt = attemptNumber - 1;
        const wait = retryWait(error, attempt);
        if (error instanceof GitHubError && error.kind === 'transient') size.shrink();
        if (wait === null || retriesLeft === 0 || !request) return;
        ctx.record({
          severity: 'warning',
          repository: `${request.owner}/${request.name}`,
          kind: (error as GitHubError).kind,
          message: `${error.message} (attempt ${attemptNumber}, retrying in ${wait} ms with pages of ${size.current})`,
        });
        await ctx.clock.sleep(wait, ctx.signal);
        await onWait?.(wait);
      },
    },
  );
}

/**
 * One walk round: the request `build` makes, sent as `segments` concurrent requests (each retried on its own) and
 * merged back into one page.
 */
export async function fetchRound(
  ctx: RunContext,
  size: AdaptivePageSize,
  build: (windowSize: number) => PageRequest,
  segments: number,
  onWait?: (ms: number) => Promise<void>,
): Promise<PageResult> {
  const round = splitRequest(build(size.current), segments);
  const parts = round.length;
  if (parts === 1) {
    return (await fetchWithRetry(ctx, size, build, (r) => ctx.github.fetchPullRequests(r), onWait)).page;
  }
  // A number walk's parts are consecutive runs that must stay so: a retried part keeps its run (the smaller size
  // applies from the next round). A window walk's windows are independent: a retried part takes the new size.
  const numbers = round[0]?.numbers !== undefined;
  const answers = await Promise.all(
    Array.from({ length: parts }, (_, part) =>
      fetchWithRetry(
        ctx,
        size,
        (windowSize) => (numbers ? round[part]! : splitRequest(build(windowSize), parts)[part]!),
        (r) => ctx.github.fetchPullRequests(r),
        onWait,
      ),
    ),
  );
  return mergePages(answers.map(({ page }) => page));
}
