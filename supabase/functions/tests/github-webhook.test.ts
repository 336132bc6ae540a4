import assert from 'node:assert/strict';
import { handleGitHubWebhook } from '../../../src/edge-functions/github-webhook.ts';
import { signWebhookBody } from '../../../src/edge-functions/webhook-signature.ts';
import * as children from '../../../test/fixtures/webhook-payloads.ts';
import { type Harness, test, withDatabase } from './support.ts';

const SECRET = 'deno-webhook-secret';

/** A trimmed but faithful `pull_request` webhook payload (REST shapes). */
function pullRequestEvent(
  repo: string,
  number: number,
  overrides: Record<string, unknown> = {},
  repository: Record<string, unknown> = {},
) {
  const id = 2_000_000_000 + number;
  return {
    action: 'closed',
    number,
    pull_request: {
      id,
      node_id: `PR_kwDO${id}`,
      number,
      html_url: `https://github.com/acme/${repo}/pull/${number}`,
      state: 'closed',
      title: `Fix the thing #${number}`,
      body: 'Long description — with émoji 🚀 and RTL שלום',
      draft: false,
      created_at: '2024-05-01T10:00:00Z',
      updated_at: '2024-05-03T12:00:00Z',
      closed_at: '2024-05-03T12:00:00Z',
      merged_at: '2024-05-03T12:00:00Z',
      merged: true,
      user: { login: 'octocat', id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', type: 'User' },
      labels: [
        { id: 1, name: 'bug' },
        { id: 2, name: 'backend' },
      ],
      base: { ref: 'main' },
      head: { ref: 'fix-the-thing' },
      additions: 12,
      deletions: 3,
      changed_files: 2,
      ...overrides,
    },
    repository: {
      id: 9_100_000 + repo.length,
      node_id: `R_kgDO${repo}`,
      name: repo,
      owner: { login: 'acme' },
      ...repository,
    },
  };
}

async function delivery(
  body: string,
  options: { event?: string; signature?: string | null; secret?: string; deliveryId?: string } = {},
): Promise<Request> {
  const headers = new Headers({
    'content-type': 'application/json',
    'x-github-event': options.event ?? 'pull_request',
    'x-github-delivery': options.deliveryId ?? crypto.randomUUID(),
  });
  const signature =
    options.signature === undefined
      ? await signWebhookBody(options.secret ?? SECRET, body)
      : options.signature;
  if (signature !== null) headers.set('x-hub-signature-256', signature);
  return new Request('http://localhost/functions/v1/github-webhook', { method: 'POST', headers, body });
}

async function rowsFor(sql: Harness['sql'], repo: string) {
  return sql<Record<string, unknown>>(
    `select p.* from progressive_backfill.pull_requests p join progressive_backfill.repositories r on r.id = p.repository_id
      where r.owner = 'acme' and r.name = $1 order by p.number`,
    [repo],
  );
}

async function repositoryExists(sql: Harness['sql'], repo: string): Promise<boolean> {
  const rows = await sql(
    `select 1 from progressive_backfill.repositories where owner = 'acme' and name = $1`,
    [repo],
  );
  return rows.length > 0;
}

test('a signed pull_request delivery stores the pull request as the backfill would', async () => {
  await withDatabase(async ({ store, sql }) => {
    const deliveryId = crypto.randomUUID();
    const response = await handleGitHubWebhook(
      await delivery(JSON.stringify(pullRequestEvent('signed', 7)), { deliveryId }),
      {
        store,
        secret: SECRET,
      },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      event: 'pull_request',
      action: 'closed',
      delivery: deliveryId,
      duplicate: false,
      repository: 'acme/signed',
      nameApplied: true,
      number: 7,
      inserted: 1,
      updated: 0,
      removed: 0,
    });
    const [row, ...rest] = await rowsFor(sql, 'signed');
    assert.equal(rest.length, 0);
    assert.ok(row);
    assert.equal(String(row.github_id), '2000000007');
    assert.equal(row.state, 'MERGED');
    assert.equal(row.author_login, 'octocat');
    assert.equal(String(row.author_github_id), '583231');
    assert.equal(row.author_type, 'User');
    assert.deepEqual(row.labels, ['bug', 'backend']);
    assert.equal(row.field_profile, 'core');
    assert.equal(row.body, 'Long description — with émoji 🚀 and RTL שלום');
    assert.deepEqual([row.additions, row.deletions, row.changed_files], [12, 3, 2]);
    assert.deepEqual([row.base_ref, row.head_ref], ['main', 'fix-the-thing']);
    const [repository] = await sql(
      `select github_id, node_id from progressive_backfill.repositories where name = 'signed'`,
    );
    assert.deepEqual(repository, { github_id: String(9_100_006), node_id: 'R_kgDOsigned' });
  });
});

test('a replayed delivery leaves one row', async () => {
  await withDatabase(async ({ store, sql }) => {
    const body = JSON.stringify(pullRequestEvent('replayed', 8));
    for (let i = 0; i < 3; i++) {
      const response = await handleGitHubWebhook(await delivery(body), { store, secret: SECRET });
      assert.equal(response.status, 200);
      assert.equal((await response.json()).inserted, i === 0 ? 1 : 0);
    }
    assert.equal((await rowsFor(sql, 'replayed')).length, 1);
    const [count] = await sql<{ stored_pr_count: number }>(
      `select stored_pr_count from progressive_backfill.repositories where name = 'replayed'`,
    );
    assert.equal(count?.stored_pr_count, 1);
  });
});

test('an older delivery arriving late does not overwrite a newer one', async () => {
  await withDatabase(async ({ store, sql }) => {
    const newer = pullRequestEvent('late', 9, { title: 'newer title', updated_at: '2024-06-01T00:00:00Z' });
    const older = pullRequestEvent('late', 9, { title: 'older title', updated_at: '2024-05-01T00:00:00Z' });
    for (const event of [newer, older]) {
      const response = await handleGitHubWebhook(await delivery(JSON.stringify(event)), {
        store,
        secret: SECRET,
      });
      assert.equal(response.status, 200);
    }
    assert.deepEqual(
      (await rowsFor(sql, 'late')).map((row) => row.title),
      ['newer title'],
    );
  });
});

test('a bad or missing signature is refused with 401 and writes nothing', async () => {
  await withDatabase(async ({ store, sql }) => {
    const body = JSON.stringify(pullRequestEvent('unsigned', 10));
    const attempts = [
      await delivery(body, { signature: null }),
      await delivery(body, { secret: 'not-the-secret' }),
      await delivery(body, { signature: 'sha256=zz' }),
      await delivery(body, { signature: (await signWebhookBody(SECRET, body)).replace('sha256=', 'sha1=') }),
      // signed for a different body
      await delivery(body, { signature: await signWebhookBody(SECRET, `${body} `) }),
    ];
    for (const request of attempts) {
      const response = await handleGitHubWebhook(request, { store, secret: SECRET });
      assert.equal(response.status, 401);
      await response.body?.cancel();
    }
    assert.equal(await repositoryExists(sql, 'unsigned'), false);
  });
});

test('without a configured secret nothing verifies', async () => {
  await withDatabase(async ({ store, sql }) => {
    const body = JSON.stringify(pullRequestEvent('no-secret', 11));
    const response = await handleGitHubWebhook(await delivery(body), { store, secret: '' });
    assert.equal(response.status, 500);
    await response.body?.cancel();
    assert.equal(await repositoryExists(sql, 'no-secret'), false);
  });
});

test('ping is answered 200, other events 202, and neither writes anything', async () => {
  await withDatabase(async ({ store, sql }) => {
    const before = await sql<{ n: string }>(
      'select count(*)::text as n from progressive_backfill.pull_requests',
    );
    const ping = await handleGitHubWebhook(
      await delivery(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }), { event: 'ping' }),
      { store, secret: SECRET },
    );
    assert.equal(ping.status, 200);
    await ping.body?.cancel();
    const issues = await handleGitHubWebhook(
      await delivery(JSON.stringify(pullRequestEvent('issues-event', 12)), { event: 'issues' }),
      { store, secret: SECRET },
    );
    assert.equal(issues.status, 202);
    assert.deepEqual(await issues.json(), { event: 'issues', ignored: true });
    assert.equal(await repositoryExists(sql, 'issues-event'), false);
    assert.deepEqual(await sql('select count(*)::text as n from progressive_backfill.pull_requests'), before);
  });
});

test('a signed but malformed body is answered 400 and writes nothing', async () => {
  await withDatabase(async ({ store, sql }) => {
    const notJson = await handleGitHubWebhook(await delivery('{"action": "opened",'), {
      store,
      secret: SECRET,
    });
    assert.equal(notJson.status, 400);
    await notJson.body?.cancel();
    const event = pullRequestEvent('malformed', 13);
    const noId = await handleGitHubWebhook(
      await delivery(JSON.stringify({ ...event, pull_request: { ...event.pull_request, id: 'x' } })),
      { store, secret: SECRET },
    );
    assert.equal(noId.status, 400);
    assert.match((await noId.json()).error, /pull_request\.id/);
    assert.equal(await repositoryExists(sql, 'malformed'), false);
  });
});

test('a deleted author (ghost) is stored as a null author, like GraphQL reports it', async () => {
  await withDatabase(async ({ store, sql }) => {
    const event = pullRequestEvent('ghost', 14, {
      user: { login: 'ghost', id: 10137, type: 'User' },
      state: 'open',
      merged_at: null,
      merged: false,
      closed_at: null,
      draft: true,
    });
    const response = await handleGitHubWebhook(await delivery(JSON.stringify(event)), {
      store,
      secret: SECRET,
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    const [row] = await rowsFor(sql, 'ghost');
    assert.deepEqual(
      [row?.author_login, row?.author_github_id, row?.author_type, row?.state, row?.is_draft],
      [null, null, null, 'OPEN', true],
    );
  });
});

test('a body over GitHub’s 25 MB cap is refused with 413, declared or streamed, without being read whole', async () => {
  await withDatabase(async ({ store }) => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let pulled = 0;
    let cancelled = false;
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      });
    const declared = await handleGitHubWebhook(
      new Request('http://localhost/functions/v1/github-webhook', {
        method: 'POST',
        headers: { 'content-length': String(26 * 1024 * 1024), 'x-github-event': 'pull_request' },
        body: endless(),
      }),
      { store, secret: SECRET },
    );
    assert.equal(declared.status, 413);
    await declared.body?.cancel();
    assert.ok(pulled <= chunk.byteLength, `read ${pulled} bytes of a body declared too large`);

    pulled = 0;
    const streamed = await handleGitHubWebhook(
      new Request('http://localhost/functions/v1/github-webhook', {
        method: 'POST',
        headers: { 'x-github-event': 'pull_request' },
        body: endless(),
      }),
      { store, secret: SECRET },
    );
    assert.equal(streamed.status, 413);
    await streamed.body?.cancel();
    assert.ok(cancelled, 'the streamed body was not cancelled');
    assert.ok(pulled <= 28 * 1024 * 1024, `read ${pulled} bytes before refusing`);
  });
});

test('a signed delivery without X-GitHub-Event is 400 and writes nothing', async () => {
  await withDatabase(async ({ store, sql }) => {
    const request = await delivery(JSON.stringify(pullRequestEvent('no-event', 15)));
    request.headers.delete('x-github-event');
    const response = await handleGitHubWebhook(request, { store, secret: SECRET });
    assert.equal(response.status, 400);
    await response.body?.cancel();
    assert.equal(await repositoryExists(sql, 'no-event'), false);
  });
});

test('a redelivery (the same X-GitHub-Delivery) is answered as a duplicate and changes nothing', async () => {
  await withDatabase(async ({ store, sql }) => {
    const deliveryId = crypto.randomUUID();
    const original = pullRequestEvent('redelivered', 16, {}, { id: 9_200_016 });
    const first = await handleGitHubWebhook(await delivery(JSON.stringify(original), { deliveryId }), {
      store,
      secret: SECRET,
    });
    assert.equal(first.status, 200);
    assert.equal((await first.json()).duplicate, false);
    // a redelivery is the same delivery; even a body that differs is not applied twice
    const changed = pullRequestEvent(
      'redelivered',
      16,
      { title: 'changed', updated_at: '2024-07-01T00:00:00Z' },
      { id: 9_200_016 },
    );
    const again = await handleGitHubWebhook(await delivery(JSON.stringify(changed), { deliveryId }), {
      store,
      secret: SECRET,
    });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), {
      event: 'pull_request',
      action: 'closed',
      delivery: deliveryId,
      duplicate: true,
    });
    assert.deepEqual(
      (await rowsFor(sql, 'redelivered')).map((row) => row.title),
      ['Fix the thing #16'],
    );
  });
});

test('an old delivery arriving after a newer rename cannot undo it, and its pull request still lands', async () => {
  await withDatabase(async ({ store, sql }) => {
    const repositoryId = 9_200_017;
    const renamed = pullRequestEvent(
      'renamed-new',
      17,
      { updated_at: '2024-06-02T00:00:00Z' },
      { id: repositoryId, updated_at: '2024-06-01T00:00:00Z', pushed_at: '2024-05-20T00:00:00Z' },
    );
    const older = pullRequestEvent(
      'renamed-old',
      18,
      { updated_at: '2024-05-02T00:00:00Z' },
      { id: repositoryId, updated_at: '2024-04-01T00:00:00Z', pushed_at: 1_714_000_000 },
    );
    for (const event of [renamed, older]) {
      const response = await handleGitHubWebhook(await delivery(JSON.stringify(event)), {
        store,
        secret: SECRET,
      });
      assert.equal(response.status, 200);
      const answer = await response.json();
      assert.equal(answer.repository, 'acme/renamed-new');
      assert.equal(answer.nameApplied, event === renamed);
    }
    assert.equal(await repositoryExists(sql, 'renamed-old'), false);
    assert.deepEqual(
      (await rowsFor(sql, 'renamed-new')).map((row) => row.number),
      [17, 18],
    );
  });
});

test("an Enterprise Managed User's repository (owner `handle_shortcode`) is stored", async () => {
  await withDatabase(async ({ store, sql }) => {
    const event = pullRequestEvent('emu', 19, {}, { id: 9_200_019, owner: { login: 'mona_emu' } });
    const response = await handleGitHubWebhook(await delivery(JSON.stringify(event)), {
      store,
      secret: SECRET,
    });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).repository, 'mona_emu/emu');
    const rows = await sql(
      `select p.number from progressive_backfill.pull_requests p
         join progressive_backfill.repositories r on r.id = p.repository_id
        where r.owner = 'mona_emu' and r.name = 'emu'`,
    );
    assert.deepEqual(rows, [{ number: 19 }]);
  });
});

test('review, review comment and conversation comment deliveries are stored, and a deleted comment goes', async () => {
  await withDatabase(async ({ store, sql }) => {
    const repo = { owner: 'acme', name: 'children', id: 9_300_001 };
    const pr = { id: 2_300_000_001, number: 5, updatedAt: '2025-01-02T00:00:00Z' };
    const deliver = async (event: string, payload: unknown) => {
      const response = await handleGitHubWebhook(await delivery(JSON.stringify(payload), { event }), {
        store,
        secret: SECRET,
      });
      assert.equal(response.status, 200, event);
      return response.json();
    };
    await deliver('pull_request', children.pullRequestEvent(repo, pr));
    const review = { id: 61, state: 'commented' as const, body: 'see inline', submittedAt: pr.updatedAt };
    assert.equal(
      (await deliver('pull_request_review', children.reviewEvent('submitted', repo, pr, review))).applied,
      true,
    );
    const inline = {
      id: 62,
      reviewId: 61,
      body: 'off by one 🐛',
      path: 'src/a.ts',
      line: null,
      originalLine: 3,
      createdAt: pr.updatedAt,
      updatedAt: pr.updatedAt,
    };
    await deliver('pull_request_review_comment', children.reviewCommentEvent('created', repo, pr, inline));
    const talk = { id: 63, body: 'שלום, thanks', createdAt: pr.updatedAt, updatedAt: pr.updatedAt };
    await deliver('issue_comment', children.issueCommentEvent('created', repo, pr.number, talk));
    await deliver(
      'issue_comment',
      children.issueCommentEvent('created', repo, pr.number, { ...talk, id: 64 }),
    );
    await deliver(
      'issue_comment',
      children.issueCommentEvent('deleted', repo, pr.number, { ...talk, id: 64 }),
    );

    assert.deepEqual(
      await sql(`select github_id::text, state, body from progressive_backfill.reviews where github_id = 61`),
      [{ github_id: '61', state: 'COMMENTED', body: 'see inline' }],
    );
    assert.deepEqual(
      await sql(
        `select github_id::text, kind, body, review_github_id::text, path, line, original_line
           from progressive_backfill.comments where github_id between 62 and 64 order by github_id`,
      ),
      [
        {
          github_id: '62',
          kind: 'review_comment',
          body: 'off by one 🐛',
          review_github_id: '61',
          path: 'src/a.ts',
          line: null,
          original_line: 3,
        },
        {
          github_id: '63',
          kind: 'issue_comment',
          body: 'שלום, thanks',
          review_github_id: null,
          path: null,
          line: null,
          original_line: null,
        },
      ],
    );
  });
});
