/**
 * A client that spaces GraphQL requests (@octokit/plugin-throttling's default: one at a time, 1 s apart) would cap
 * a token near 3,600 pages an hour. The client must let GraphQL reads run side by side, bounded only by
 * `maxConcurrent`: the engine's budget planner owns pacing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/github/client.ts';
import { type GitHubStub, githubHeaders, startGitHubStub } from '../support/github-stub.ts';

const page = {
  data: {
    repository: { forward: { totalCount: 0, pageInfo: { endCursor: null, hasNextPage: false }, nodes: [] } },
    rateLimit: {
      cost: 1,
      remaining: 4990,
      resetAt: '2026-01-01T00:00:00Z',
      limit: 5000,
      used: 10,
      nodeCount: 1,
    },
  },
};

let stub: GitHubStub;
beforeAll(async () => {
  stub = await startGitHubStub();
});
afterAll(() => stub.close());

describe('GraphQL requests through the throttling plugin', () => {
  it('run concurrently up to maxConcurrent and no further, without a 1 s gap between them', async () => {
    // Answers are held from the moment two requests are in flight, for a short observation window: a third
    // request would show up within it if the client let more than two run at once.
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let windowOpened = false;
    stub.handle(async (_request, current) => {
      if (current.inFlight >= 2 && !windowOpened) {
        windowOpened = true;
        setTimeout(openGate, 150);
      }
      await gate;
      return { status: 200, headers: githubHeaders(), body: page };
    });
    const client = createGitHubClient({ token: 'ghs_installationtoken', apiUrl: stub.url, maxConcurrent: 2 });

    const pages = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.fetchPullRequests({
          owner: 'octo',
          name: `repo${i}`,
          profile: 'core',
          windows: [{ key: 'forward', direction: 'forward', size: 10, cursor: null }],
        }),
      ),
    );

    expect(pages).toHaveLength(5);
    expect(stub.maxInFlight).toBe(2);
    const [first, second] = stub.requests;
    // The default `write` group would start the second request 1,000 ms after the first.
    expect(second!.receivedAt - first!.receivedAt).toBeLessThan(500);
  });
});
