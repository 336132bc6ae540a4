/**
 * What the product reads of each pull request, per field profile, as one GraphQL fragment. Kept apart from the
 * shape of the requests that list pull requests (queries.ts), so the fields and the windows change independently.
 */
import type { FieldProfile } from '../domain/pull-request.ts';
import { ACTOR_IDENTITY, INLINE_CHILDREN_FIELDS } from './children-queries.ts';

/** Labels per pull request; the cost does not depend on it (labels has no nested connection), only the node count. */
export const LABELS_PER_PULL_REQUEST = 20;

const AUTHOR_SELECTION = `author {
      ${ACTOR_IDENTITY}
    }`;

// Only fullDatabaseId: PullRequest.databaseId is a 32-bit Int that GitHub deprecated (pull request ids have
// outgrown it) and has announced it will remove.
const CORE_FIELDS = `id
    fullDatabaseId
    number
    title
    body
    state
    isDraft
    createdAt
    updatedAt
    closedAt
    mergedAt
    additions
    deletions
    changedFiles
    baseRefName
    headRefName
    url
    ${AUTHOR_SELECTION}`;

const LABELS_AND_DECISION = `labels(first: ${LABELS_PER_PULL_REQUEST}) { nodes { name } }
    reviewDecision`;

// Count-only connections need no first/last on GitHub (like `stargazers { totalCount }`).
const STANDARD_FIELDS = `${LABELS_AND_DECISION}
    reviews { totalCount }
    comments { totalCount }`;

const PROFILE_FIELDS: Record<FieldProfile, string> = {
  core: CORE_FIELDS,
  standard: `${CORE_FIELDS}\n    ${STANDARD_FIELDS}`,
  full: `${CORE_FIELDS}\n    ${INLINE_CHILDREN_FIELDS}`,
};

export const PULL_REQUEST_FRAGMENT_NAME = 'PullRequestFields';

export function pullRequestFragment(profile: FieldProfile): string {
  return `fragment ${PULL_REQUEST_FRAGMENT_NAME} on PullRequest {\n    ${PROFILE_FIELDS[profile]}\n}`;
}
