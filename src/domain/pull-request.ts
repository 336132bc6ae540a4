/**
 * The stored shape of one pull request. Keys are the `pull_requests` column names, which are the user-facing API
 * of the data, so the store can hand a page to SQL as JSON without renaming anything.
 */

export type PullRequestState = 'OPEN' | 'CLOSED' | 'MERGED';

/** Every concrete type GitHub's `Actor` interface can resolve to; `null` author means a deleted ("ghost") account. */
export const ACTOR_TYPES = ['User', 'Bot', 'Mannequin', 'Organization', 'EnterpriseUserAccount'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const FIELD_PROFILES = ['core', 'standard', 'full'] as const;
export type FieldProfile = (typeof FIELD_PROFILES)[number];

export interface PullRequestRecord {
  /** GitHub database id as a decimal string: ids outgrow 2^31 and JSON numbers lose precision past 2^53. */
  github_id: string;
  node_id: string;
  number: number;
  title: string;
  body: string | null;
  state: PullRequestState;
  is_draft: boolean;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
  author_login: string | null;
  author_github_id: string | null;
  author_type: ActorType | null;
  additions: number;
  deletions: number;
  changed_files: number;
  base_ref: string | null;
  head_ref: string | null;
  url: string;
  /** Which profile produced this record; richer columns below are only written by the profiles that fetch them. */
  field_profile: FieldProfile;
  /** standard and full */
  labels?: string[];
  review_decision?: string | null;
  review_count?: number;
  comment_count?: number;
}
