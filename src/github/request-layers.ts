/**
 * The layers every request to GitHub passes, as octokit plugins (the first listed innermost): the body parsed, a
 * secondary limit sent with a 200 turned into the 403 it means, transient failures retried, and secondary limits
 * waited out with the requests in flight bounded.
 *
 * @octokit/plugin-retry and @octokit/plugin-throttling did the last two through Bottleneck queues (one limiter of
 * its own per request for the retry plugin, three queues for the throttling plugin); their hops on timers held every
 * request ~19 ms before it left (measured on loopback: 17–20 ms against ~1 ms for bare octokit), on the path of
 * every round of a time-bound run, whose rounds take ~100 ms of GitHub's time. What the product used of them (no
 * pacing: the engine's planner owns the budget) is the few lines below, on p-retry.
 */
import { Octokit, type OctokitOptions } from '@octokit/core';
import { RequestError } from '@octokit/request-error';
import pRetry from 'p-retry';
import { graphqlErrors } from './errors.ts';
import { parseResponseBody } from './json-body.ts';

export interface RequestLayerOptions {
  /** transient failures retried this often, the first retry after minTimeoutMs, doubling */
  transientRetry: { retries: number; minTimeoutMs: number };
  /** secondary limits waited out this often; a retry-after of N s waits N × waitMsPerSecond ms */
  secondaryLimit: { maxRetries: number; waitMsPerSecond: number };
  /** requests in flight at once */
  maxConcurrent: number;
}

/** Statuses a retry cannot cure; 429 is a rate limit, answered as one. */
const DO_NOT_RETRY = new Set([400, 401, 403, 404, 410, 422, 429, 451]);
const SOMETHING_WENT_WRONG = /Something went wrong while executing your query/;
const SECONDARY_LIMIT = /\bsecondary rate\b/i;
/** GitHub's advice when a secondary limit comes without retry-after: wait at least a minute. */
const SECONDARY_WAIT_SECONDS = 60;

function layerOptions(options: OctokitOptions): RequestLayerOptions {
  return options.layers as RequestLayerOptions;
}

/**
 * GraphQL requests ask octokit for the body unparsed; it is parsed here, the innermost layer, so every layer above
 * sees it parsed (see json-body.ts).
 */
function nativeJsonBodies(octokit: Octokit): void {
  octokit.hook.wrap('request', async (request, options) => {
    const response = await request(options);
    if (!(response.data instanceof ReadableStream)) return response;
    const text = await new Response(response.data).text();
    return { ...response, data: parseResponseBody(text, response.headers['content-type']) };
  });
}

/** A 200 response whose errors say "secondary rate limit" becomes the 403 RequestError it means. */
function secondaryLimitAsError(octokit: Octokit): void {
  octokit.hook.wrap('request', async (request, options) => {
    const response = await request(options);
    const errors = graphqlErrors(response.data);
    const secondary = errors.find((error) => /secondary rate limit|abuse detection/i.test(error.message));
    if (secondary) {
      throw new RequestError(secondary.message, 403, { request: options, response });
    }
    return response;
  });
}

/**
 * Transient failures (a 5xx, a failed connection, or a 200 whose first error is GitHub's "Something went wrong")
 * are retried at the same size.
 */
function transientRetries(octokit: Octokit, octokitOptions: OctokitOptions): void {
  const { retries, minTimeoutMs } = layerOptions(octokitOptions).transientRetry;
  octokit.hook.wrap('request', (request, options) =>
    pRetry(
      async () => {
        const response = await request(options);
        const first = graphqlErrors(response.data)[0];
        if (first && SOMETHING_WENT_WRONG.test(first.message))
          throw new RequestError(first.message, 500, { request: options, response });
        return response;
      },
      {
        retries,
        minTimeout: minTimeoutMs,
        factor: 2,
        randomize: false,
        shouldRetry: ({ error }) =>
          error instanceof RequestError && error.status >= 400 && !DO_NOT_RETRY.has(error.status),
      },
    ),
  );
}

/** At most `max` tasks at once; the rest start in arrival order as slots free. */
function concurrencyLimit(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    while (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Requests in flight bounded, and secondary limits waited out as GitHub says (retry-after, else a minute), the slot
 * given up while waiting. The primary budget is the engine's to manage: a primary limit goes up as it came.
 */
function secondaryLimitWaits(octokit: Octokit, octokitOptions: OctokitOptions): void {
  const { secondaryLimit, maxConcurrent } = layerOptions(octokitOptions);
  const inFlight = concurrencyLimit(maxConcurrent);
  octokit.hook.wrap('request', async (request, options) => {
    for (let retry = 0; ; retry++) {
      try {
        return await inFlight(async () => request(options));
      } catch (error) {
        const secondary = error instanceof RequestError && SECONDARY_LIMIT.test(error.message);
        if (!secondary || retry >= secondaryLimit.maxRetries) throw error;
        const seconds = Number(error.response?.headers['retry-after']) || SECONDARY_WAIT_SECONDS;
        await new Promise((resolve) => setTimeout(resolve, seconds * secondaryLimit.waitMsPerSecond));
      }
    }
  });
}

export const LayeredOctokit = Octokit.plugin(
  nativeJsonBodies,
  secondaryLimitAsError,
  transientRetries,
  secondaryLimitWaits,
);
