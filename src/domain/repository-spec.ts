/** Parsing of `owner/name` and `owner/*`, with GitHub's own naming rules so typos fail before any request. */

/**
 * Letters, digits and hyphens, at most 39 characters; underscores too, since Enterprise Managed Users' accounts are
 * `handle_shortcode` (`octo_corp`, `mona_emu`). Double and trailing hyphens are accepted: accounts older than the
 * current signup rules have them, and the same rule must hold for every name GitHub itself sends (webhooks).
 */
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

export function isGitHubOwner(owner: string): boolean {
  return OWNER.test(owner);
}

export function isGitHubRepositoryName(name: string): boolean {
  return NAME.test(name) && name !== '.' && name !== '..';
}

export type ParsedRepositorySpec = { owner: string; name: string } | { owner: string; name: '*' };

export class InvalidRepositorySpecError extends Error {
  override name = 'InvalidRepositorySpecError';
}

export function parseRepositorySpec(raw: string): ParsedRepositorySpec {
  const text = raw
    .trim()
    .replace(/^https:\/\/github\.com\//i, '')
    .replace(/\.git$/i, '')
    .replace(/\/$/, '');
  const parts = text.split('/');
  if (parts.length !== 2) {
    throw new InvalidRepositorySpecError(`"${raw}" is not a repository: expected owner/name or owner/*`);
  }
  const [owner, name] = parts as [string, string];
  if (!isGitHubOwner(owner)) {
    throw new InvalidRepositorySpecError(
      `"${raw}": "${owner}" is not a valid GitHub owner (letters, digits, hyphens and underscores, at most 39 characters)`,
    );
  }
  if (name === '*') return { owner, name: '*' };
  if (!isGitHubRepositoryName(name)) {
    throw new InvalidRepositorySpecError(
      `"${raw}": "${name}" is not a valid repository name (letters, digits, '.', '-' and '_', at most 100 characters)`,
    );
  }
  return { owner, name };
}

/** A list from an input or flag: commas, newlines or spaces between entries. */
export function parseRepositoryList(raw: string): ParsedRepositorySpec[] {
  return raw
    .split(/[\s,]+/)
    .filter((s) => s.length > 0)
    .map(parseRepositorySpec);
}
