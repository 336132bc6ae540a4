import { describe, expect, it } from 'vitest';
import { createDataset, type DatasetOptions } from '../../src/simulator/dataset.ts';

const options = (seed: number): DatasetOptions => ({
  seed,
  repositories: [
    { owner: 'octo', name: 'one', pullRequests: 2_000 },
    { owner: 'octo', name: 'two', pullRequests: 50 },
  ],
});

const SAMPLE = [0, 1, 2, 499, 1_000, 1_999];

describe('the dataset is a pure function of its seed', () => {
  it('the same seed yields identical pull requests whatever order they are read in', () => {
    const a = createDataset(options(42)).repository('octo', 'one');
    const b = createDataset(options(42)).repository('octo', 'one');
    const forward = SAMPLE.map((index) => a?.pullRequest(index));
    const backward = [...SAMPLE].reverse().map((index) => b?.pullRequest(index));
    expect(backward.reverse()).toEqual(forward);
  });

  it('reviews and comments, drawn only when read, are the same whenever and in whatever order they are read', () => {
    const a = createDataset(options(42)).repository('octo', 'one');
    const b = createDataset(options(42)).repository('octo', 'one');
    const early = SAMPLE.map((index) => {
      const pr = a?.pullRequest(index);
      return { comments: pr?.comments, reviews: pr?.reviews };
    });
    // b hands out every pull request first, then its children, comments before reviews
    const prs = SAMPLE.map((index) => b?.pullRequest(index));
    const late = prs.map((pr) => {
      const comments = pr?.comments;
      return { comments, reviews: pr?.reviews };
    });
    expect(late).toEqual(early);
    expect(early.some(({ reviews }) => (reviews?.length ?? 0) > 0)).toBe(true);
  });

  it('a different seed yields different data with the same shape', () => {
    const a = createDataset(options(42)).repository('octo', 'one');
    const b = createDataset(options(43)).repository('octo', 'one');
    expect(b?.pullRequestCount).toBe(a?.pullRequestCount);
    const titles = (dataset: typeof a) => SAMPLE.map((index) => dataset?.pullRequest(index).title);
    expect(titles(b)).not.toEqual(titles(a));
  });

  it('repositories of one dataset never share a pull request id', () => {
    const dataset = createDataset(options(42));
    const ids = dataset.repositories.flatMap((repository) =>
      Array.from(
        { length: repository.pullRequestCount },
        (_, index) => repository.skeleton(index).databaseId,
      ),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('repository lookup ignores case, like GitHub', () => {
    const dataset = createDataset(options(1));
    expect(dataset.repository('OCTO', 'Two')?.name).toBe('two');
  });
});
