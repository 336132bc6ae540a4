/**
 * Complete history: points per 1,000 pull requests for a `full` backfill that stores every review, review
 * comment, conversation comment and label, against the floor GitHub's cost formula allows for the same data, and
 * the wall time. The floor: every pull request needs its labels, reviews and conversation-comments connections,
 * every review its comments connection, every further 100 items one more page, and 1 request per 100 pull
 * requests listed; requests are charged /100 rounded to the nearest point, so at best 149 requests cost 1 point.
 *
 *   npx tsx scripts/bench/children-points.ts [pull requests, default 10000]
 *
 * Writes scripts/bench/results/children.md.
 */
import { writeFile } from 'node:fs/promises';
import { runBackfill } from '../../src/engine/run.ts';
import { childrenTruth } from '../../src/simulator/children-truth.ts';
import { startEngineEnvironment, TOKEN } from '../harness/engine-environment.ts';
import { startTempPostgres } from '../harness/temp-postgres.ts';

const prs = Number(process.argv[2] ?? 10_000);
const postgres = await startTempPostgres();
const repo = { owner: 'bench', name: 'history', pullRequests: prs };
const env = await startEngineEnvironment({
  dataset: { seed: 11, repositories: [repo] },
  adminUrl: postgres.adminUrl,
});
try {
  const started = performance.now();
  const summary = await runBackfill(env.options({ fieldProfile: 'full' }), {
    store: env.store,
    github: env.github,
    clock: env.clock,
  });
  const wallMs = performance.now() - started;
  if (summary.repositories[0]?.outcome !== 'completed')
    throw new Error(`ended ${summary.repositories[0]?.outcome}`);
  const charged = env.sim.requests.filter((r) => r.token === TOKEN);
  const points = charged.reduce((sum, r) => sum + r.cost, 0);
  const pagePoints = charged
    .filter((r) => r.operationName === 'PullRequestPage')
    .reduce((s, r) => s + r.cost, 0);
  const followUpPoints = charged
    .filter((r) => r.operationName === 'ChildPages')
    .reduce((s, r) => s + r.cost, 0);

  const repository = env.sim.dataset.repository(repo.owner, repo.name)!;
  const truth = childrenTruth(repository);
  const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
  let requests = Math.ceil(repository.pullRequestCount / 100);
  const reviewComments = new Map<string, number>();
  for (const c of truth.comments) {
    if (c.review_github_id)
      reviewComments.set(c.review_github_id, (reviewComments.get(c.review_github_id) ?? 0) + 1);
  }
  const byPr = (rows: { pull_request_github_id: string }[]) => {
    const counts = new Map<string, number>();
    for (const row of rows)
      counts.set(row.pull_request_github_id, (counts.get(row.pull_request_github_id) ?? 0) + 1);
    return counts;
  };
  const reviewsPerPr = byPr(truth.reviews);
  const commentsPerPr = byPr(truth.comments.filter((c) => c.kind === 'issue_comment'));
  for (const [id, labels] of truth.labels) {
    requests += pages(labels.length) + pages(reviewsPerPr.get(id) ?? 0) + pages(commentsPerPr.get(id) ?? 0);
  }
  for (const review of truth.reviews) requests += pages(reviewComments.get(review.github_id) ?? 0);
  const floor = Math.ceil(requests / 149);

  const n = summary.prsWritten;
  const per = (x: number) => ((x / n) * 1000).toFixed(1);
  const reviewCommentCount = truth.comments.length - [...commentsPerPr.values()].reduce((a, b) => a + b, 0);
  const lines = [
    '# Complete history (`full` profile): points and wall time',
    '',
    `Command: \`npx tsx scripts/bench/children-points.ts ${prs}\` (simulator on loopback without latency, PostgreSQL ${''}on this machine).`,
    '',
    `Data: ${n.toLocaleString('en-US')} pull requests; per PR on average ${(truth.reviews.length / n).toFixed(2)} reviews, ` +
      `${([...commentsPerPr.values()].reduce((a, b) => a + b, 0) / n).toFixed(2)} conversation comments, ` +
      `${(reviewCommentCount / n).toFixed(2)} review comments, with a long tail (1% of PRs with 100+ reviews or comments).`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| points per 1,000 PRs, everything stored | **${per(points)}** (pages ${per(pagePoints)}, follow-ups ${per(followUpPoints)}) |`,
    `| floor the cost formula allows for the same data | ${per(floor)} (${requests.toLocaleString('en-US')} connection requests / 149 per point) |`,
    `| product / floor | ${(points / floor).toFixed(2)} |`,
    `| wall time for ${n.toLocaleString('en-US')} PRs with children | ${(wallMs / 1000).toFixed(1)} s |`,
    `| rows stored | ${truth.reviews.length.toLocaleString('en-US')} reviews, ${truth.comments.length.toLocaleString('en-US')} comments, ${truth.contributors.length.toLocaleString('en-US')} contributors |`,
    '',
  ];
  await writeFile(new URL('./results/children.md', import.meta.url), lines.join('\n'));
  console.log(lines.join('\n'));
} finally {
  await env.close();
  await postgres.stop();
}
