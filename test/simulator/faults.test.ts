import { afterEach, describe, expect, it } from 'vitest';
import {
  type Fault,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/simulator/server.ts';
import { graphql } from './http.ts';

const QUERY =
  'query { repository(owner: "octo", name: "repo") { pullRequests(first: 5) { nodes { number } } } }';

let sim: Simulator | undefined;
afterEach(() => sim?.stop());

async function start(overrides: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  sim = await startSimulator({
    dataset: { seed: 2, repositories: [{ owner: 'octo', name: 'repo', pullRequests: 20 }] },
    tokens: { 'test-token': {} },
    ...overrides,
  });
  return sim;
}

async function once(sim: Simulator, fault: Fault) {
  sim.setFaults({ next: [fault] });
  return graphql(sim, QUERY);
}

describe('faults reproduce GitHub failures on demand', () => {
  it('502 (JSON or HTML), 504 and "something went wrong" carry GitHub bodies and charge nothing', async () => {
    const sim = await start();
    const json502 = await once(sim, { kind: '502' });
    expect(json502.status).toBe(502);
    expect(json502.body.errors[0].message).toMatch(/^Something went wrong while executing your query/);
    const html502 = await once(sim, { kind: '502', body: 'html' });
    expect(html502.status).toBe(502);
    expect(html502.body).toMatch(/^<!DOCTYPE html>/);
    const timeout = await once(sim, { kind: '504' });
    expect(timeout.status).toBe(504);
    expect(timeout.body.message).toMatch(/couldn't respond to your request in time/);
    const wrong = await once(sim, { kind: 'something-went-wrong' });
    expect(wrong.status).toBe(200);
    expect(wrong.body.data).toBeNull();
    expect(wrong.body.errors[0].message).toMatch(/This may be the result of a timeout/);
    expect(sim.budget('test-token').used).toBe(0);
    expect(sim.requests.map((request) => request.fault)).toEqual([
      '502',
      '502',
      '504',
      'something-went-wrong',
    ]);
    expect((await graphql(sim, QUERY)).status).toBe(200);
  });

  it('secondary limits come as 403 or 200 with retry-after', async () => {
    const sim = await start();
    const forbidden = await once(sim, { kind: 'secondary', retryAfterSeconds: 37 });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['retry-after']).toBe('37');
    expect(forbidden.body.message).toMatch(/^You have exceeded a secondary rate limit/);
    const ok = await once(sim, { kind: 'secondary', variant: '200' });
    expect(ok.status).toBe(200);
    expect(ok.headers['retry-after']).toBe('60');
    expect(ok.body.errors[0].message).toMatch(/secondary rate limit/);
  });

  it('a reset destroys the connection', async () => {
    const sim = await start();
    sim.setFaults({ next: [{ kind: 'reset' }] });
    await expect(graphql(sim, QUERY)).rejects.toThrow();
    expect(sim.requests.at(-1)?.fault).toBe('reset');
  });

  it('slow requests and latency wait through the injected sleep', async () => {
    const waits: number[] = [];
    const sim = await start({
      sleep: async (ms) => {
        waits.push(ms);
      },
      latencyMs: ({ nodeCount }) => nodeCount * 2,
    });
    const reply = await once(sim, { kind: 'slow', ms: 45_000 });
    expect(reply.status).toBe(200);
    // the pause that gathers a burst of requests, the fault's delay, then the latency model's time
    expect(waits).toEqual([3, 45_000, 10]);
  });

  it('primary exhaustion drops the budget to zero', async () => {
    const sim = await start();
    const reply = await once(sim, { kind: 'primary-exhaustion' });
    expect(reply.body.errors[0].type).toBe('RATE_LIMITED');
    expect(reply.headers['x-ratelimit-remaining']).toBe('0');
    expect(sim.budget('test-token').remaining).toBe(0);
  });

  it('a seeded fault rate hits the same requests on every run, and scripted indices hit exactly', async () => {
    const statuses: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const sim = await start({
        faults: { rate: 0.3, pool: [{ kind: '504' }], seed: 99, at: { 3: { kind: '502' } } },
      });
      const run_: number[] = [];
      for (let i = 0; i < 20; i++) run_.push((await graphql(sim, QUERY)).status);
      statuses.push(run_);
      await sim.stop();
    }
    sim = undefined;
    expect(statuses[0]).toEqual(statuses[1]);
    expect(statuses[0]?.[3]).toBe(502);
    const failures = statuses[0]?.filter((status) => status === 504).length ?? 0;
    expect(failures).toBeGreaterThan(0);
    expect(failures).toBeLessThan(15);
  });
});
