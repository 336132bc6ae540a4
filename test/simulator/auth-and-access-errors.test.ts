import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

let sim: Simulator;
const PRS =
  'query { repository(owner: "acme", name: "secret") { name pullRequests(first: 1) { nodes { number } } } }';

beforeAll(async () => {
  sim = await startSimulator({
    dataset: {
      seed: 5,
      repositories: [
        { owner: 'acme', name: 'public', pullRequests: 3 },
        { owner: 'acme', name: 'secret', pullRequests: 3, isPrivate: true },
      ],
    },
    tokens: {
      'test-token': {},
      outsider: { canSee: (owner, name) => `${owner}/${name}` !== 'acme/secret' },
      'metadata-only': { canReadPullRequests: () => false },
      app: { kind: 'integration', canReadPullRequests: () => false },
    },
  });
});
afterAll(() => sim.stop());

describe('authentication and access failures look like GitHub', () => {
  it('a missing or unknown token is 401 Bad credentials; both header schemes authenticate', async () => {
    for (const authorization of [null, 'bearer nope']) {
      const reply = await graphql(sim, '{ viewer { login } }', {}, authorization);
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/graphql',
        status: '401',
      });
    }
    expect((await graphql(sim, '{ viewer { login } }', {}, 'token test-token')).status).toBe(200);
    expect((await graphql(sim, '{ viewer { login } }', {}, 'Bearer test-token', '/api/graphql')).status).toBe(
      200,
    );
  });

  it('an unknown repository, and a private one the token cannot see, are NOT_FOUND', async () => {
    const missing = await graphql(sim, 'query { repository(owner: "acme", name: "gone") { name } }');
    expect(missing.body).toEqual({
      data: { repository: null },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['repository'],
          locations: [{ line: 1, column: 9 }],
          message: "Could not resolve to a Repository with the name 'acme/gone'.",
        },
      ],
    });
    const hidden = await graphql(sim, PRS, {}, 'bearer outsider');
    expect(hidden.body.data).toEqual({ repository: null });
    expect(hidden.body.errors[0]).toMatchObject({
      type: 'NOT_FOUND',
      message: "Could not resolve to a Repository with the name 'acme/secret'.",
    });
    const visible = await graphql(sim, PRS);
    expect(visible.body.data.repository.name).toBe('secret');
  });

  it('a token without pull-request permission gets FORBIDDEN in the wording of its kind', async () => {
    const pat = await graphql(sim, PRS, {}, 'bearer metadata-only');
    expect(pat.status).toBe(200);
    expect(pat.body.data).toEqual({ repository: null });
    expect(pat.body.errors).toEqual([
      {
        type: 'FORBIDDEN',
        path: ['repository', 'pullRequests'],
        locations: [{ line: 1, column: 58 }],
        extensions: { saml_failure: false },
        message: 'Resource not accessible by personal access token',
      },
    ]);
    const app = await graphql(sim, PRS, {}, 'bearer app');
    expect(app.body.errors[0].message).toBe('Resource not accessible by integration');
  });

  it('owner listings leave out repositories the token cannot see', async () => {
    const query = 'query { repositoryOwner(login: "acme") { repositories(first: 10) { nodes { name } } } }';
    const names = (reply: Awaited<ReturnType<typeof graphql>>) =>
      reply.body.data.repositoryOwner.repositories.nodes.map((node: { name: string }) => node.name);
    expect(names(await graphql(sim, query))).toEqual(['public', 'secret']);
    expect(names(await graphql(sim, query, {}, 'bearer outsider'))).toEqual(['public']);
  });
});
