import { describe, expect, it } from 'vitest';
import {
  InvalidRepositorySpecError,
  isGitHubOwner,
  parseRepositorySpec,
} from '../../src/domain/repository-spec.ts';

describe('repository owners', () => {
  it.each([
    ['a user', 'octocat'],
    ['an organisation with hyphens', 'my-org-2'],
    ["an Enterprise Managed User's `_shortcode`", 'mona_emu'],
    ['an EMU enterprise shortcode with an underscore inside', 'octo_corp'],
    ['an account from before the single-hyphen rule', 'old--name-'],
    ['39 characters', 'a'.repeat(39)],
  ])('accepts %s', (_case, owner) => {
    expect(isGitHubOwner(owner)).toBe(true);
    expect(parseRepositorySpec(`${owner}/repo`)).toEqual({ owner, name: 'repo' });
  });

  it.each([
    ['a leading hyphen', '-octo'],
    ['a leading underscore', '_octo'],
    ['a dot', 'octo.cat'],
    ['40 characters', 'a'.repeat(40)],
    ['a NUL byte', `octo${String.fromCharCode(0)}`],
  ])('refuses %s with a message naming the rule', (_case, owner) => {
    expect(isGitHubOwner(owner)).toBe(false);
    expect(() => parseRepositorySpec(`${owner}/repo`)).toThrow(InvalidRepositorySpecError);
    expect(() => parseRepositorySpec(`${owner}/repo`)).toThrow(/letters, digits, hyphens and underscores/);
  });
});
