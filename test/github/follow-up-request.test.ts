import { describe, expect, it } from 'vitest';
import type { FollowUpKind, FollowUpTask } from '../../src/domain/children.ts';
import { followUpRequestQuery } from '../../src/github/children-queries.ts';

const task = (kind: FollowUpKind, n: number): FollowUpTask => ({
  kind,
  node_id: `NODE_${n}`,
  pull_request_github_id: String(1_000 + n),
  review_github_id: kind === 'review_comments' ? String(2_000 + n) : null,
  cursor: n % 2 === 0 ? null : `cursor-${n}`,
});

const CONNECTION: Record<FollowUpKind, string> = {
  labels: '... on PullRequest {\n      page: labels(',
  reviews: '... on PullRequest {\n      page: reviews(',
  comments: '... on PullRequest {\n      page: comments(',
  review_comments: '... on PullRequestReview {\n      page: comments(',
};

describe('follow-up request', () => {
  it('is one document for every batch with the same mix of kinds, whatever their order', () => {
    const a = followUpRequestQuery([task('review_comments', 1), task('labels', 2), task('reviews', 3)]);
    const b = followUpRequestQuery([task('reviews', 4), task('review_comments', 5), task('labels', 6)]);
    expect(a.query).toBe(b.query);
    expect(a.query).not.toBe(followUpRequestQuery([task('reviews', 1), task('reviews', 2)]).query);
  });

  it("reads each task back under an alias whose variables are that task's node and cursor", () => {
    const tasks = [task('comments', 1), task('labels', 2), task('review_comments', 3), task('labels', 4)];
    const { query, variables, aliases } = followUpRequestQuery(tasks);
    expect(new Set(aliases).size).toBe(tasks.length);
    tasks.forEach((t, k) => {
      const alias = aliases[k]!;
      const index = alias.slice(1);
      expect(variables[`i${index}`]).toBe(t.node_id);
      expect(variables[`a${index}`]).toBe(t.cursor);
      // the alias asks for this task's kind of connection
      const field = query.slice(query.indexOf(`${alias}: node(id: $i${index})`)).split('\n  f')[0]!;
      expect(field).toContain(CONNECTION[t.kind]);
    });
  });
});
