/**
 * The Store contract, run against every adapter: each method goes through the adapter's real transport to the real
 * SQL functions. The store is shared by the tests of one file; each test tracks its own repositories.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PullRequestRecord } from '../../src/domain/pull-request.ts';
import { type ChunkLease, type CursorState, type Store, StoreError } from '../../src/store/types.ts';

export interface StoreHarness {
  store: Store;
  /** direct SQL on the store's database, to back-date timestamps instead of waiting */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface ContractSetup {
  /** a store on a freshly migrated database */
  open(): Promise<StoreHarness>;
  /** a store on a database without the schema */
  openEmpty(): Promise<{ store: Store; close(): Promise<void> }>;
}

const BASE_TIME = Date.parse('2024-01-01T00:00:00Z');

export function makePr(number: number, overrides: Partial<PullRequestRecord> = {}): PullRequestRecord {
  const at = new Date(BASE_TIME + number * 60_000).toISOString();
  return {
    github_id: String(9_000_000_000_000_000n + BigInt(number)),
    node_id: `PR_kw${number}`,
    number,
    title: `Pull request ${number}`,
    body: `Body of ${number}`,
    state: number % 3 === 0 ? 'MERGED' : 'OPEN',
    is_draft: false,
    created_at: at,
    updated_at: at,
    closed_at: null,
    merged_at: null,
    author_login: `user${number % 7}`,
    author_github_id: String(1000 + (number % 7)),
    author_type: 'User',
    additions: number,
    deletions: 1,
    changed_files: 1,
    base_ref: 'main',
    head_ref: `feature-${number}`,
    url: `https://github.com/contract/repo/pull/${number}`,
    field_profile: 'core',
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected the call to fail with a StoreError');
}

export function describeStoreContract(name: string, setup: ContractSetup): void {
  describe(`${name} store contract`, () => {
    let harness: StoreHarness;
    let store: Store;
    let repoCounter = 0;
    // github ids are unique across repositories: each test's PRs get their own range
    let prBase = 0;

    beforeAll(async () => {
      harness = await setup.open();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.close();
    });

    async function trackedRepository(prTotalCount = 500) {
      repoCounter += 1;
      return store.trackRepository({
        owner: 'contract',
        name: `repo-${repoCounter}`,
        githubId: String(1_000_000 + repoCounter),
        nodeId: `R_${repoCounter}`,
        prTotalCount,
      });
    }

    function prs(count: number, overrides: Partial<PullRequestRecord> = {}): PullRequestRecord[] {
      const first = prBase + 1;
      prBase += count;
      return Array.from({ length: count }, (_, i) => makePr(first + i, overrides));
    }

    async function claimedChunk(prTotalCount = 500): Promise<{ repositoryId: number; lease: ChunkLease }> {
      const repository = await trackedRepository(prTotalCount);
      await store.startBackfill(repository.id, 'core');
      const lease = await store.claimChunk({
        repositoryId: repository.id,
        workerId: 'w1',
        leaseSeconds: 300,
      });
      if (!lease) throw new Error('expected a chunk to claim');
      return { repositoryId: repository.id, lease };
    }

    function commit(
      lease: ChunkLease,
      expectedCursor: CursorState,
      nextCursor: CursorState,
      pagePrs: PullRequestRecord[],
      extra: { done?: boolean; fencingToken?: string; pointsSpent?: number } = {},
    ) {
      return store.commitPage({
        chunkId: lease.chunkId,
        fencingToken: extra.fencingToken ?? lease.fencingToken,
        runId: null,
        expectedCursor,
        nextCursor,
        prs: pagePrs,
        pointsSpent: extra.pointsSpent ?? 1,
        skippedNodes: 0,
        githubTotalCount: 500,
        done: extra.done ?? false,
        leaseSeconds: 300,
      });
    }

    test('assertSchema accepts the migrated database', async () => {
      await expect(store.assertSchema()).resolves.toBeUndefined();
    });

    test('assertSchema on a database without the schema says schema_missing and how to migrate', async () => {
      const empty = await setup.openEmpty();
      try {
        const error = await rejection(empty.store.assertSchema());
        expect(error.code).toBe('schema_missing');
        expect(error.message).toContain('progressive-backfill migrate --database-url');
      } finally {
        await empty.close();
      }
    });

    test('trackRepository upserts case-insensitively and keeps ids past 2^53 exact', async () => {
      const first = await store.trackRepository({
        owner: 'Contract',
        name: 'Case-Repo',
        githubId: '9007199254740993',
        nodeId: 'R_case',
        prTotalCount: 120,
      });
      expect(first).toMatchObject({
        owner: 'Contract',
        name: 'Case-Repo',
        fullName: 'Contract/Case-Repo',
        githubId: '9007199254740993',
        prTotalCount: 120,
        storedPrCount: 0,
        tracked: true,
        backfillStatus: 'idle',
      });
      const again = await store.trackRepository({
        owner: 'contract',
        name: 'case-repo',
        githubId: null,
        nodeId: null,
        prTotalCount: null,
        priority: 5,
      });
      expect(again.id).toBe(first.id);
      expect(again).toMatchObject({ githubId: '9007199254740993', prTotalCount: 120, priority: 5 });
      expect(await store.getRepository({ id: first.id })).toMatchObject({ id: first.id, priority: 5 });
      expect(await store.getRepository({ owner: 'CONTRACT', name: 'CASE-REPO' })).toMatchObject({
        id: first.id,
      });
      expect(await store.getRepository({ owner: 'contract', name: 'never-tracked' })).toBeNull();
    });

    test('concurrent calls through one store each get their own answer', async () => {
      const names = Array.from({ length: 12 }, (_, i) => `concurrent-${repoCounter}-${i}`);
      repoCounter += 1;
      const rows = await Promise.all(
        names.map((repoName) =>
          store.trackRepository({
            owner: 'queue',
            name: repoName,
            githubId: null,
            nodeId: null,
            prTotalCount: null,
          }),
        ),
      );
      expect(rows.map((row) => row.name)).toEqual(names);
      expect(new Set(rows.map((row) => row.id)).size).toBe(names.length);
    });

    test('trackRepository rejects a name GitHub would not allow with invalid_input', async () => {
      const error = await rejection(
        store.trackRepository({
          owner: 'bad owner!',
          name: 'x',
          githubId: null,
          nodeId: null,
          prTotalCount: null,
        }),
      );
      expect(error.code).toBe('invalid_input');
    });

    test('updateRepositoryCounts stores the total and refuses a negative one', async () => {
      const repository = await trackedRepository(10);
      await store.updateRepositoryCounts(repository.id, 777);
      expect((await store.getRepository({ id: repository.id }))?.prTotalCount).toBe(777);
      expect((await rejection(store.updateRepositoryCounts(repository.id, -1))).code).toBe('invalid_input');
    });

    test('selectRepositories offers a large incomplete repository and skips a small one', async () => {
      const large = await trackedRepository(5000);
      const small = await trackedRepository(50);
      const candidates = await store.selectRepositories({ threshold: 0.8, minPrs: 100, limit: 1000 });
      const ids = candidates.map((candidate) => candidate.repositoryId);
      expect(ids).toContain(large.id);
      expect(ids).not.toContain(small.id);
      expect(candidates.find((candidate) => candidate.repositoryId === large.id)).toMatchObject({
        fullName: large.fullName,
        needsStart: true,
        needsRefresh: false,
        backfillStatus: 'idle',
        prTotalCount: 5000,
        storedPrCount: 0,
      });
      const named = await store.selectRepositories({
        threshold: 0.8,
        minPrs: 100,
        limit: 10,
        repositoryIds: [small.id],
      });
      expect(named.map((candidate) => candidate.repositoryId)).toEqual([small.id]);
    });

    test('a walk of start, claim and commits completes the backfill in the last commit', async () => {
      const { repositoryId, lease } = await claimedChunk();
      expect(lease).toMatchObject({
        repositoryId,
        cursor: null,
        attempts: 1,
        fieldProfile: 'core',
        chunkNumber: 1,
      });
      expect(typeof lease.fencingToken).toBe('string');
      const first = await commit(lease, null, { page: 1 }, prs(3));
      expect(first).toMatchObject({ applied: true, inserted: 3, updated: 0, storedPrCount: 3 });
      expect(Date.parse(first.leaseExpiresAt)).toBeGreaterThan(Date.now());
      const last = await commit(lease, { page: 1 }, { page: 2 }, prs(2), { done: true });
      expect(last).toMatchObject({ applied: true, inserted: 2, storedPrCount: 5 });
      expect(await store.getRepository({ id: repositoryId })).toMatchObject({
        backfillStatus: 'completed',
        storedPrCount: 5,
      });
      expect(await store.claimChunk({ repositoryId, workerId: 'w1', leaseSeconds: 300 })).toBeNull();
    });

    test('a full page with children and its follow-up complete the backfill together, through the adapter', async () => {
      const { repositoryId, lease } = await claimedChunk();
      const [pr] = prs(1).map((p) => ({ ...p, field_profile: 'full' as const, labels: ['bug'] }));
      const reviewer = {
        github_id: '77001',
        login: 'rëviewer',
        type: 'Bot' as const,
        avatar_url: null,
        html_url: null,
      };
      const review = {
        github_id: '9007199254740993', // past 2^53: exact as text
        node_id: `PRR_contract_${repositoryId}`,
        pull_request_github_id: pr!.github_id,
        author_github_id: '77001',
        author_login: 'rëviewer',
        author_type: 'Bot' as const,
        state: 'COMMENTED' as const,
        body: '👀 '.repeat(20_000),
        submitted_at: '2024-02-01T00:00:00Z',
        created_at: '2024-02-01T00:00:00Z',
        updated_at: '2024-02-01T00:00:00Z',
        commit_oid: null,
      };
      const task = {
        kind: 'review_comments' as const,
        node_id: review.node_id,
        pull_request_github_id: pr!.github_id,
        review_github_id: review.github_id,
        cursor: null,
      };
      const first = await store.commitPage({
        chunkId: lease.chunkId,
        fencingToken: lease.fencingToken,
        runId: null,
        expectedCursor: null,
        nextCursor: { page: 1 },
        prs: [pr!],
        pointsSpent: 1,
        skippedNodes: 0,
        githubTotalCount: 1,
        done: true,
        leaseSeconds: 300,
        children: { contributors: [reviewer], reviews: [review], comments: [], follow_ups: [task] },
      });
      expect(first.completed).toBe(false);
      expect(await store.listFollowUps(repositoryId, 10)).toEqual([task]);
      const result = await store.commitFollowUps({
        repositoryId,
        chunkId: lease.chunkId,
        fencingToken: lease.fencingToken,
        runId: null,
        pages: [
          {
            kind: task.kind,
            node_id: task.node_id,
            expected_cursor: null,
            next_cursor: null,
            contributors: [],
            reviews: [],
            comments: [],
            follow_ups: [],
            labels: null,
          },
        ],
        pointsSpent: 1,
        walkDone: true,
        leaseSeconds: 300,
      });
      expect(result).toEqual({ applied: 1, skipped: 0, written: 0, remaining: 0, completed: true });
      expect(await store.getRepository({ id: repositoryId })).toMatchObject({ backfillStatus: 'completed' });
      const rows = await harness.sql(
        'select github_id::text as id, body from progressive_backfill.reviews where node_id = $1',
        [review.node_id],
      );
      expect(rows).toEqual([{ id: review.github_id, body: review.body }]);
    });

    test('a replayed commit reports applied false and changes nothing', async () => {
      const { repositoryId, lease } = await claimedChunk();
      const page = prs(4);
      await commit(lease, null, { page: 1 }, page);
      const replay = await commit(lease, null, { page: 1 }, page);
      expect(replay).toMatchObject({ applied: false, inserted: 0, updated: 0 });
      expect((await store.getRepository({ id: repositoryId }))?.storedPrCount).toBe(4);
    });

    test('a commit with a superseded fencing token fails with stale_lease', async () => {
      const { repositoryId, lease } = await claimedChunk();
      await store.releaseChunk(lease.chunkId, lease.fencingToken);
      const second = await store.claimChunk({ repositoryId, workerId: 'w2', leaseSeconds: 300 });
      expect(second?.fencingToken).not.toBe(lease.fencingToken);
      const error = await rejection(commit(lease, null, { page: 1 }, prs(1)));
      expect(error.code).toBe('stale_lease');
    });

    test('a commit from another cursor fails with cursor_conflict, a negative count with invalid_input', async () => {
      const { lease } = await claimedChunk();
      expect((await rejection(commit(lease, { page: 7 }, { page: 8 }, prs(1)))).code).toBe('cursor_conflict');
      expect((await rejection(commit(lease, null, { page: 1 }, prs(1), { pointsSpent: -1 }))).code).toBe(
        'invalid_input',
      );
    });

    test('a page with a value its column cannot hold fails with invalid_input and leaves nothing behind', async () => {
      const { repositoryId, lease } = await claimedChunk();
      const [good, other] = prs(2);
      for (const bad of [
        { ...other!, updated_at: 'not a date' },
        { ...other!, number: 0 },
        { ...other!, github_id: '12ab' },
      ]) {
        const error = await rejection(commit(lease, null, { page: 1 }, [good!, bad]));
        expect(error.code).toBe('invalid_input');
        expect(error.message).toMatch(/invalid pull request row/);
      }
      expect((await store.getRepository({ id: repositoryId }))?.storedPrCount).toBe(0);
      expect(await commit(lease, null, { page: 1 }, [good!, other!])).toMatchObject({
        applied: true,
        inserted: 2,
      });
    });

    test('heartbeat extends the lease', async () => {
      const { lease } = await claimedChunk();
      const extended = await store.heartbeat(lease.chunkId, lease.fencingToken, 3600);
      expect(Date.parse(extended)).toBeGreaterThan(Date.parse(lease.leaseExpiresAt));
    });

    test('completeChunk queues the next chunk at the same cursor and cannot complete twice', async () => {
      const { repositoryId, lease } = await claimedChunk();
      await commit(lease, null, { page: 1 }, prs(2));
      await store.completeChunk(lease.chunkId, lease.fencingToken);
      const next = await store.claimChunk({ repositoryId, workerId: 'w1', leaseSeconds: 300 });
      expect(next).toMatchObject({ chunkNumber: 2, cursor: { page: 1 } });
      expect(next?.chunkId).not.toBe(lease.chunkId);
      const error = await rejection(store.completeChunk(lease.chunkId, lease.fencingToken));
      expect(error.code).toBe('invalid_transition');
    });

    test('releaseChunk puts the chunk back with its cursor for the next claim', async () => {
      const { repositoryId, lease } = await claimedChunk();
      await commit(lease, null, { page: 1 }, prs(1));
      await store.releaseChunk(lease.chunkId, lease.fencingToken);
      const again = await store.claimChunk({ repositoryId, workerId: 'w2', leaseSeconds: 300 });
      expect(again).toMatchObject({ chunkId: lease.chunkId, cursor: { page: 1 } });
      expect((await rejection(store.releaseChunk(lease.chunkId, lease.fencingToken))).code).toBe(
        'stale_lease',
      );
    });

    test('failChunk with a retryable error schedules a later retry', async () => {
      const { repositoryId, lease } = await claimedChunk();
      const result = await store.failChunk({
        chunkId: lease.chunkId,
        fencingToken: lease.fencingToken,
        error: 'GitHub answered 502',
        retryable: true,
        maxFailures: 5,
      });
      expect(result).toMatchObject({ chunkStatus: 'pending', consecutiveErrors: 1 });
      expect(Date.parse(result.retryAt ?? '')).toBeGreaterThan(Date.now());
      expect(await store.claimChunk({ repositoryId, workerId: 'w1', leaseSeconds: 300 })).toBeNull();
      await harness.sql(
        `update progressive_backfill.backfill_chunks set run_at = now() - interval '1 second' where id = $1`,
        [lease.chunkId],
      );
      const retried = await store.claimChunk({ repositoryId, workerId: 'w1', leaseSeconds: 300 });
      expect(retried).toMatchObject({ chunkId: lease.chunkId, attempts: 2 });
    });

    test('failChunk with a fatal error fails the chunk and the backfill', async () => {
      const { repositoryId, lease } = await claimedChunk();
      const result = await store.failChunk({
        chunkId: lease.chunkId,
        fencingToken: lease.fencingToken,
        error: 'repository not found',
        retryable: false,
        maxFailures: 5,
      });
      expect(result).toMatchObject({ chunkStatus: 'failed', retryAt: null });
      expect((await store.getRepository({ id: repositoryId }))?.backfillStatus).toBe('failed');
    });

    test('a paused backfill is not claimable until resumed', async () => {
      const { repositoryId, lease } = await claimedChunk();
      const resumeAt = new Date(Date.now() + 3_600_000);
      await store.pauseRepository(repositoryId, 'rate limit', resumeAt);
      expect((await store.getRepository({ id: repositoryId }))?.backfillStatus).toBe('paused');
      expect(await store.claimChunk({ repositoryId, workerId: 'w1', leaseSeconds: 300 })).toBeNull();
      const row = (await store.progress()).find((progress) => progress.repositoryId === repositoryId);
      expect(row).toMatchObject({ backfillStatus: 'paused', pauseReason: 'rate limit' });
      expect(Date.parse(row?.pausedUntil ?? '')).toBe(resumeAt.getTime());
      await store.resumeRepository(repositoryId);
      const again = await store.claimChunk({ repositoryId, workerId: 'w1', leaseSeconds: 300 });
      expect(again?.chunkId).toBe(lease.chunkId);
      expect((await rejection(store.resumeRepository(repositoryId))).code).toBe('invalid_transition');
    });

    test('a worker pauses or fails its backfill under its lease; once stale, it is refused (stale_lease)', async () => {
      const { repositoryId, lease } = await claimedChunk();
      const stale = { ...lease, fencingToken: String(BigInt(lease.fencingToken) + 1_000_000n) };
      const inAnHour = new Date(Date.now() + 3_600_000);
      expect((await rejection(store.pauseRepository(repositoryId, 'x', inAnHour, stale))).code).toBe(
        'stale_lease',
      );
      expect((await rejection(store.failBackfill(repositoryId, 'x', stale))).code).toBe('stale_lease');
      await store.pauseRepository(repositoryId, 'secondary rate limit', inAnHour, lease);
      expect((await store.getRepository({ id: repositoryId }))?.backfillStatus).toBe('paused');
      await store.failBackfill(repositoryId, 'repository gone', lease);
      expect((await store.getRepository({ id: repositoryId }))?.backfillStatus).toBe('failed');
    });

    test('pausing until a moment in the past is invalid_input', async () => {
      const { repositoryId } = await claimedChunk();
      const error = await rejection(store.pauseRepository(repositoryId, 'x', new Date(Date.now() - 60_000)));
      expect(error.code).toBe('invalid_input');
    });

    test('cancelBackfill cancels the backfill and its chunk, once', async () => {
      const { repositoryId, lease } = await claimedChunk();
      await store.cancelBackfill(repositoryId, 'not needed');
      expect((await store.getRepository({ id: repositoryId }))?.backfillStatus).toBe('cancelled');
      expect(await store.claimChunk({ repositoryId, workerId: 'w1', leaseSeconds: 300 })).toBeNull();
      expect((await rejection(commit(lease, null, { page: 1 }, prs(1)))).code).toBe('stale_lease');
      expect((await rejection(store.cancelBackfill(repositoryId, 'again'))).code).toBe('invalid_transition');
    });

    test('failBackfill marks the backfill failed and its chunk unclaimable', async () => {
      const repository = await trackedRepository();
      await store.startBackfill(repository.id, 'standard');
      await store.failBackfill(repository.id, 'bad credentials');
      expect((await store.getRepository({ id: repository.id }))?.backfillStatus).toBe('failed');
      expect(
        await store.claimChunk({ repositoryId: repository.id, workerId: 'w1', leaseSeconds: 300 }),
      ).toBeNull();
      await store.startBackfill(repository.id, 'standard');
      const lease = await store.claimChunk({
        repositoryId: repository.id,
        workerId: 'w1',
        leaseSeconds: 300,
      });
      expect(lease).toMatchObject({ chunkNumber: 2, fieldProfile: 'standard' });
    });

    test('recoverStuckChunks requeues an expired lease and its old token turns stale', async () => {
      const { repositoryId, lease } = await claimedChunk();
      await harness.sql(
        `update progressive_backfill.backfill_chunks set lease_expires_at = now() - interval '1 hour', heartbeat_at = now() - interval '1 hour' where id = $1`,
        [lease.chunkId],
      );
      const result = await store.recoverStuckChunks({ requeueLimit: 3, graceSeconds: 60 });
      expect(result.requeued).toBeGreaterThanOrEqual(1);
      const again = await store.claimChunk({ repositoryId, workerId: 'w2', leaseSeconds: 300 });
      expect(again?.chunkId).toBe(lease.chunkId);
      expect((await rejection(commit(lease, null, { page: 1 }, prs(1)))).code).toBe('stale_lease');
    });

    test('recoverStuckChunks stalls a chunk past its requeue limit and keeps it visible', async () => {
      const { repositoryId, lease } = await claimedChunk();
      await harness.sql(
        `update progressive_backfill.backfill_chunks set lease_expires_at = now() - interval '1 hour' where id = $1`,
        [lease.chunkId],
      );
      const result = await store.recoverStuckChunks({ requeueLimit: 0, graceSeconds: 60 });
      expect(result.stalled).toBeGreaterThanOrEqual(1);
      expect((await store.getRepository({ id: repositoryId }))?.backfillStatus).toBe('stalled');
      const problems = await harness.sql(
        'select chunk_id from progressive_backfill.backfill_problem_chunks where repository_id = $1',
        [repositoryId],
      );
      expect(problems.map((row) => Number(row.chunk_id))).toEqual([lease.chunkId]);
    });

    test('a refresh resumes from its stored position, fenced by it, and moves the watermark only when done', async () => {
      const { repositoryId, lease } = await claimedChunk();
      const page = prs(3);
      await commit(lease, null, { page: 1 }, page, { done: true });
      const edited = { ...page[0]!, title: 'edited', updated_at: '2030-06-01T00:00:00.000Z' };
      const left = { ...page[1]!, state: 'MERGED' as const, updated_at: '2030-05-01T00:00:00.000Z' };
      const refresh = (
        expectedCursor: string | null,
        nextCursor: string | null,
        refreshPrs: PullRequestRecord[],
      ) =>
        store.commitRefresh({
          repositoryId,
          runId: null,
          expectedCursor,
          nextCursor,
          targetWatermark: '2030-06-01T00:00:00.000Z',
          holder: 'worker-a',
          prs: refreshPrs,
          removed: refreshPrs.length > 0 ? [left] : [],
          pointsSpent: 3,
        });
      const before = await store.refreshPosition(repositoryId);
      expect(before).toMatchObject({ cursor: null, targetWatermark: null });
      expect(await refresh(null, 'c1', [edited, ...prs(1)])).toEqual({
        applied: true,
        inserted: 1,
        updated: 1,
        removed: 1,
      });
      expect(await refresh(null, 'c1', [edited])).toMatchObject({ applied: false }); // a replay
      const during = await store.refreshPosition(repositoryId);
      expect(during).toMatchObject({ cursor: 'c1', holder: 'worker-a', watermark: before.watermark });
      expect(new Date(during.targetWatermark!).toISOString()).toBe('2030-06-01T00:00:00.000Z');
      expect((await rejection(refresh('elsewhere', null, []))).code).toBe('cursor_conflict');
      expect(await refresh('c1', null, [])).toMatchObject({ applied: true });
      const after = await store.refreshPosition(repositoryId);
      expect(after).toMatchObject({ cursor: null, targetWatermark: null, holder: null });
      expect(new Date(after.watermark!).toISOString()).toBe('2030-06-01T00:00:00.000Z');
      expect((await store.getRepository({ id: repositoryId }))?.storedPrCount).toBe(3);
    });

    test('upsertPullRequests keeps the newest version and round-trips a 60k body and emoji', async () => {
      const repository = await trackedRepository();
      const [pr] = prs(1, { body: `${'x'.repeat(60_000)} 🚀 שלום` });
      expect(await store.upsertPullRequests(repository.id, [pr!])).toEqual({ inserted: 1, updated: 0 });
      const older = { ...pr!, title: 'older', updated_at: '2020-01-01T00:00:00.000Z' };
      await store.upsertPullRequests(repository.id, [older]);
      const newer = { ...pr!, title: 'newer', updated_at: '2030-01-01T00:00:00.000Z' };
      expect(await store.upsertPullRequests(repository.id, [newer])).toEqual({ inserted: 0, updated: 1 });
      const [row] = await harness.sql(
        'select title, body from progressive_backfill.pull_requests where github_id = $1',
        [pr!.github_id],
      );
      expect(row).toEqual({ title: 'newer', body: pr!.body });
      expect((await store.getRepository({ id: repository.id }))?.storedPrCount).toBe(1);
    });

    test('receiveWebhook applies a delivery once and never lets an older view rename the repository', async () => {
      repoCounter += 1;
      const [pr] = prs(1);
      const repository = {
        owner: 'contract',
        name: `hook-${repoCounter}`,
        githubId: String(8_800 + repoCounter),
        nodeId: null,
      };
      const deliveryId = crypto.randomUUID();
      const first = await store.receiveWebhook({
        deliveryId,
        event: 'pull_request',
        repository,
        observedAt: '2024-05-02T00:00:00.000Z',
        prs: [pr!],
      });
      expect(first).toMatchObject({ duplicate: false, nameApplied: true, inserted: 1, updated: 0 });
      expect(first.repository).toMatchObject({ fullName: `contract/hook-${repoCounter}`, storedPrCount: 1 });
      expect(
        await store.receiveWebhook({
          deliveryId,
          event: 'pull_request',
          repository,
          observedAt: '2024-05-03T00:00:00.000Z',
          prs: [],
        }),
      ).toEqual({ duplicate: true, repository: null, nameApplied: false, inserted: 0, updated: 0 });
      const stale = await store.receiveWebhook({
        deliveryId: crypto.randomUUID(),
        event: 'pull_request',
        repository: { ...repository, name: `hook-${repoCounter}-old` },
        observedAt: '2024-05-01T00:00:00.000Z',
        prs: [],
      });
      expect(stale).toMatchObject({ duplicate: false, nameApplied: false });
      expect(stale.repository?.name).toBe(`hook-${repoCounter}`);
    });

    test('receiveChildWebhook stores a review and a comment once; receiveCommentDeletion removes the comment for good', async () => {
      repoCounter += 1;
      const [pr] = prs(1);
      const repository = {
        owner: 'contract',
        name: `kids-${repoCounter}`,
        githubId: String(8_900 + repoCounter),
      };
      await store.receiveWebhook({
        deliveryId: crypto.randomUUID(),
        event: 'pull_request',
        repository: { ...repository, nodeId: null },
        observedAt: '2024-05-02T00:00:00.000Z',
        prs: [pr!],
      });
      const author = {
        author_github_id: '4242',
        author_login: 'mona',
        author_type: 'User' as const,
      };
      const contributors = [
        { github_id: '4242', login: 'mona', type: null, avatar_url: null, html_url: null },
      ];
      const reviewId = String(7_000_000 + repoCounter);
      const reviewDelivery = crypto.randomUUID();
      const review = {
        deliveryId: reviewDelivery,
        event: 'pull_request_review',
        repository,
        pullRequest: { githubId: pr!.github_id },
        contributors,
        child: {
          review: {
            github_id: reviewId,
            node_id: `PRR_${reviewId}`,
            ...author,
            state: 'APPROVED' as const,
            body: 'nul\u0000byte',
            submitted_at: '2024-05-02T00:00:00.000Z',
            created_at: '2024-05-02T00:00:00.000Z',
            updated_at: '2024-05-02T00:00:00.000Z',
            commit_oid: null,
          },
        },
      };
      expect(await store.receiveChildWebhook(review)).toEqual({
        duplicate: false,
        applied: true,
        ignored: null,
      });
      expect(await store.receiveChildWebhook(review)).toEqual({
        duplicate: true,
        applied: false,
        ignored: null,
      });
      const commentId = String(7_100_000 + repoCounter);
      const comment = {
        deliveryId: crypto.randomUUID(),
        event: 'issue_comment',
        repository,
        pullRequest: { number: pr!.number },
        contributors,
        child: {
          comment: {
            kind: 'issue_comment' as const,
            github_id: commentId,
            node_id: `IC_${commentId}`,
            ...author,
            body: 'thanks',
            created_at: '2024-05-02T00:00:00.000Z',
            updated_at: '2024-05-02T00:00:00.000Z',
            review_github_id: null,
            path: null,
            line: null,
            original_line: null,
            in_reply_to_github_id: null,
          },
        },
      };
      expect(await store.receiveChildWebhook(comment)).toMatchObject({ applied: true });
      const deletion = {
        deliveryId: crypto.randomUUID(),
        event: 'issue_comment',
        repository,
        kind: 'issue_comment' as const,
        githubId: commentId,
      };
      expect(await store.receiveCommentDeletion(deletion)).toEqual({
        duplicate: false,
        applied: true,
        ignored: null,
      });
      expect(await store.receiveChildWebhook({ ...comment, deliveryId: crypto.randomUUID() })).toMatchObject({
        ignored: 'comment deleted',
      });
      expect(
        await harness.sql(
          `select (select body from progressive_backfill.reviews where github_id = $1) as review,
                  (select count(*)::int from progressive_backfill.comments where github_id = $2) as comments`,
          [reviewId, commentId],
        ),
      ).toEqual([{ review: 'nulbyte', comments: 0 }]);
    });

    test('a pull request with a NUL character or a lone surrogate still lands, cleaned', async () => {
      const repository = await trackedRepository();
      const [pr] = prs(1, { title: 'half an emoji \uD83D', body: 'nul\u0000byte' });
      expect(await store.upsertPullRequests(repository.id, [pr!])).toEqual({ inserted: 1, updated: 0 });
      const [row] = await harness.sql(
        'select title, body from progressive_backfill.pull_requests where github_id = $1',
        [pr!.github_id],
      );
      expect(row).toEqual({ title: 'half an emoji \uFFFD', body: 'nulbyte' });
    });

    test('databaseLoad samples the load for the health check', async () => {
      expect(await store.databaseLoad!()).toEqual({
        longRunningQueries: expect.any(Number),
        lockWaits: expect.any(Number),
        deadlocks: expect.any(Number),
      });
    });

    test('startRun and finishRun record a run that finishes once', async () => {
      const runId = await store.startRun({
        trigger: 'test',
        triggerRef: 'contract',
        workerId: 'w1',
        dryRun: false,
      });
      expect(Number.isInteger(runId)).toBe(true);
      await store.finishRun({ runId, outcome: 'partial', errorSummary: { errors: ['one'] } });
      const [run] = await harness.sql(
        'select outcome, error_summary from progressive_backfill.backfill_runs where id = $1',
        [runId],
      );
      expect(run).toEqual({ outcome: 'partial', error_summary: { errors: ['one'] } });
      const error = await rejection(store.finishRun({ runId, outcome: 'completed', errorSummary: null }));
      expect(error.code).toBe('invalid_transition');
    });

    test('progress reports an active backfill with its stored and total counts', async () => {
      const { repositoryId, lease } = await claimedChunk(200);
      await commit(lease, null, { page: 1 }, prs(50));
      const row = (await store.progress()).find((progress) => progress.repositoryId === repositoryId);
      expect(row).toMatchObject({ backfillStatus: 'active', storedPrCount: 50, prTotalCount: 500 });
      expect(row?.progressPct).toBeCloseTo(10, 5);
    });
  });
}
