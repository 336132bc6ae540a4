/**
 * What a correct backfill must have stored, computed straight from the simulator's dataset. Deliberately written
 * apart from src/github/map.ts: a test comparing the database with this list checks the product's mapping too,
 * instead of comparing the mapping with itself. Only the page sizes the product asks for are shared.
 */
import type { FieldProfile, PullRequestRecord } from '../domain/pull-request.ts';
import { LABELS_PER_PULL_REQUEST } from '../github/pull-request-fields.ts';
import type { SimActor, SimPullRequest, SimRepository } from './dataset.ts';
import { isoSeconds } from './resolvers.ts';

function iso(seconds: number | null): string | null {
  return seconds === null ? null : isoSeconds(seconds);
}

function authorColumns(author: SimActor | null) {
  return {
    author_login: author?.login ?? null,
    author_github_id: author?.databaseId == null ? null : String(author.databaseId),
    author_type: author?.type ?? null,
  };
}

export function expectedRecord(pr: SimPullRequest, profile: FieldProfile): PullRequestRecord | null {
  if (pr.databaseId === null) return null; // the product skips and counts id-less nodes
  const record: PullRequestRecord = {
    github_id: String(pr.databaseId),
    node_id: pr.nodeId,
    number: pr.number,
    title: pr.title,
    body: pr.body,
    state: pr.state,
    is_draft: pr.isDraft,
    created_at: isoSeconds(pr.createdAt),
    updated_at: isoSeconds(pr.updatedAt),
    closed_at: iso(pr.closedAt),
    merged_at: iso(pr.mergedAt),
    ...authorColumns(pr.author),
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
    base_ref: pr.baseRefName,
    head_ref: pr.headRefName,
    url: pr.url,
    field_profile: profile,
  };
  if (profile === 'core') return record;
  // `full` follows labels past the first page; `standard` keeps the first LABELS_PER_PULL_REQUEST
  const labelCap = profile === 'full' ? pr.labels.length : LABELS_PER_PULL_REQUEST;
  record.labels = pr.labels.slice(0, labelCap).map((label) => label.name);
  record.review_decision = pr.reviewDecision;
  const reviews = pr.reviews.filter((review) => review.state !== 'PENDING');
  record.review_count = reviews.length;
  record.comment_count = pr.comments.length;
  return record;
}

/**
 * Every pull request the repository holds now, in number order, `size` records at a time: a large repository's
 * truth (106,405 PRs with the full profile: ~375 MB of records) never has to be held whole.
 */
export function* groundTruthPages(
  repository: SimRepository,
  profile: FieldProfile,
  size: number,
): Generator<PullRequestRecord[]> {
  let page: PullRequestRecord[] = [];
  for (let index = 0; index < repository.pullRequestCount; index++) {
    const record = expectedRecord(repository.pullRequest(index), profile); // index order is number order
    if (record) page.push(record);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** Every pull request the repository holds now, sorted by number, as the product should store it. */
export function groundTruth(repository: SimRepository, profile: FieldProfile): PullRequestRecord[] {
  return [...groundTruthPages(repository, profile, Number.POSITIVE_INFINITY)].flat();
}
