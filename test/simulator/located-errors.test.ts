import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { withLocations } from '../../src/simulator/located-errors.ts';
import { githubSchema } from '../../src/simulator/schema.ts';

const TEXT = `query {
  viewer { login }
  repository(owner: "o", name: "n") {
    nope
    pullRequests(first: 1) { nodes { alsoNope } }
  }
}`;

describe('errors over a document kept without locations', () => {
  it('point at the same lines and columns as over a located parse', () => {
    const plain = parse(TEXT, { noLocation: true });
    const unlocated = validate(githubSchema(), plain);
    expect(unlocated.map((e) => e.locations)).toEqual([undefined, undefined]);

    const expected = validate(githubSchema(), parse(TEXT)).map((e) => e.locations);
    expect(expected).toEqual([[{ line: 4, column: 5 }], [{ line: 5, column: 38 }]]);
    const relocated = withLocations(unlocated, TEXT, plain);
    expect(relocated.map((e) => e.locations)).toEqual(expected);
    expect(relocated.map((e) => e.message)).toEqual(unlocated.map((e) => e.message));
  });

  it('are returned as they are when none needs a location', () => {
    const plain = parse(TEXT, { noLocation: true });
    expect(withLocations([], TEXT, plain)).toEqual([]);
    const located = validate(githubSchema(), parse(TEXT));
    expect(withLocations(located, TEXT, plain)).toBe(located);
  });
});
