/**
 * One page request with the engine's retry policy. Hand-written rather than p-retry because every wait must go
 * through the injected clock (simulated-time benchmarks, tests without sleeps) and each retry changes the request
 * (a smaller page after a timeout), which p-retry's fixed-input model does not express.
 */
import { GitHubError, type PageRequest, type PageResult, type UpdatedPageRequest } from '../github/types.ts';
import type { RunContext } from './context.ts';
import type { AdaptivePageSize } from './page-size.ts';

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

export async function fetchWithRetry<R extends PageRequest | UpdatedPageRequest>(
  ctx: RunContext,
  size: AdaptivePageSize,
  build: (windowSize: number) => R,
  send: (request: R) => Promise<PageResult>,
  onWait?: (ms: number) => Promise<void>,
): Promise<{ page: PageResult; request: R }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (ctx.signal.aborted) throw new StopRequested('stop requested');
    const request = build(size.current);
    const points = ctx.github.predictCost(request);
    await reservePoints(ctx, points, onWait);
    const started = ctx.clock.now();
    try {
      const page = await send(request);
      ctx.ledger.settle(points, page.rateLimit, page.rateLimit.cost);
      ctx.pageTimer.observe(ctx.clock.now() - started);
      size.succeeded();
      return { page, request };
    } catch (error) {
      ctx.ledger.cancel(points);
      lastError = error;
      if (!(error instanceof GitHubError)) throw error;
      if (error.kind === 'primary_rate_limit') {
        ctx.ledger.markExhausted(error.details.resetAt);
        throw error;
      }
      let wait: number;
      if (error.kind === 'transient') {
        size.shrink();
        wait = backoffMs(attempt);
      } else if (error.kind === 'secondary_rate_limit') {
        wait = Math.max(error.details.retryAfterMs ?? 60_000, backoffMs(attempt));
      } else {
        throw error;
      }
      ctx.record({
        severity: 'warning',
        repository: `${request.owner}/${request.name}`,
        kind: error.kind,
        message: `${error.message} (attempt ${attempt + 1}, retrying in ${wait} ms with pages of ${size.current})`,
      });
      await ctx.clock.sleep(wait, ctx.signal);
      await onWait?.(wait);
    }
  }
  throw lastError;
}
