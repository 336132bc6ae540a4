/**
 * GraphQL pull-request nodes → stored records. A node without the ids the store keys on is skipped and counted
 * rather than failing the page: one odd node must not stall a repository's backfill.
 */
import type { FieldProfile, PullRequestRecord, PullRequestState } from '../domain/pull-request.ts';
import { actorType, decimalId } from './map-children.ts';

/** The response shape of the `PullRequestFields` fragment (all profiles; richer keys absent for `core`). */
export interface GraphQLPullRequestNode {
  id?: string | null;
  databaseId?: number | null;
  /** BigInt scalar: GitHub encodes it as a string; a JSON parser may also hand over a number or bigint */
  fullDatabaseId?: string | number | bigint | null;
  number?: number | null;
  title: string;
  body: string | null;
  state: PullRequestState;
  isDraft: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  additions: number;
  deletions: number;
  changedFiles: number;
  baseRefName: string | null;
  headRefName: string | null;
  url: string;
  author: { __typename: string; login: string; databaseId?: number | null } | null;
  labels?: { nodes: ({ name: string } | null)[] | null } | null;
  reviewDecision?: string | null;
  reviews?: {
    totalCount: number;
    nodes?: ({ author: { login: string } | null; state: string; submittedAt: string | null } | null)[] | null;
  } | null;
  comments?: {
    totalCount: number;
    nodes?: ({ author: { login: string } | null; createdAt: string; body: string } | null)[] | null;
  } | null;
}

export interface MappedNodes {
  records: PullRequestRecord[];
  skipped: number;
}

export function mapPullRequestNodes(
  nodes: readonly unknown[] | null | undefined,
  profile: FieldProfile,
): MappedNodes {
  const records: PullRequestRecord[] = [];
  let skipped = 0;
  for (const node of nodes ?? []) {
    const record = mapPullRequestNode(node, profile);
    if (record) records.push(record);
    else skipped++;
  }
  return { records, skipped };
}

/** `null` when the node lacks a node id, a number, or both database ids. */
export function mapPullRequestNode(node: unknown, profile: FieldProfile): PullRequestRecord | null {
  if (typeof node !== 'object' || node === null) return null;
  const pr = node as GraphQLPullRequestNode;
  const githubId = decimalId(pr.fullDatabaseId) ?? decimalId(pr.databaseId);
  if (githubId === null || typeof pr.id !== 'string' || pr.id === '' || !Number.isInteger(pr.number))
    return null;

  const record: PullRequestRecord = {
    github_id: githubId,
    node_id: pr.id,
    number: pr.number as number,
    title: pr.title,
    body: pr.body ?? null,
    state: pr.state,
    is_draft: pr.isDraft,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt ?? null,
    merged_at: pr.mergedAt ?? null,
    author_login: pr.author?.login ?? null,
    author_github_id: decimalId(pr.author?.databaseId),
    author_type: actorType(pr.author?.__typename),
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
    base_ref: pr.baseRefName ?? null,
    head_ref: pr.headRefName ?? null,
    url: pr.url,
    field_profile: profile,
  };
  if (profile === 'core') return record;

  record.labels = (pr.labels?.nodes ?? []).flatMap((label) => (label ? [label.name] : []));
  record.review_decision = pr.reviewDecision ?? null;
  record.review_count = pr.reviews?.totalCount ?? 0;
  record.comment_count = pr.comments?.totalCount ?? 0;
  // standard and full store the same columns here; full's reviews and comments go to their own tables
  return record;
}
