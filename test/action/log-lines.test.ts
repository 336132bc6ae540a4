import { describe, expect, test } from 'vitest';
import { logLine } from '../../src/action/log-lines.ts';
import type { EngineEvent } from '../../src/engine/types.ts';

const TOKEN_SHAPE = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
const CONFIGURED = 'an-unusual-configured-secret';

const errorEvent = (message: string): EngineEvent => ({
  type: 'error',
  entry: {
    severity: 'warning',
    repository: 'acme/api',
    kind: 'transient',
    message,
    at: '2026-12-02T00:00:00Z',
  },
});

describe('live log lines', () => {
  test('are redacted before they reach the log, for configured values and credential shapes alike', () => {
    const line = logLine(
      errorEvent(`GitHub said: bad credentials x_${TOKEN_SHAPE} (${CONFIGURED}) password=hunter22`),
      [CONFIGURED],
    );
    expect(line).toBe(
      'Warning [transient] acme/api: GitHub said: bad credentials x_[REDACTED] ([REDACTED]) password=[REDACTED]',
    );
  });

  test('a quiet event stays quiet', () => {
    expect(
      logLine({ type: 'health', check: 'rate-limit', status: 'ok', reason: 'fine' } as EngineEvent, []),
    ).toBeNull();
  });
});
