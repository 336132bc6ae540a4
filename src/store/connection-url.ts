import { StoreError } from './types.ts';

/**
 * Parses a connection URL without ever echoing it (URL's own TypeError carries the input, password and all) and
 * checks its protocol, so a mistyped setting fails with a message that says what was expected.
 */
export function parseConnectionUrl(
  text: string,
  expect: { label: string; example: string; protocols: string[]; otherwise?: (protocol: string) => string },
): URL {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new StoreError(
      'invalid_input',
      `the ${expect.label} is not a valid URL: expected ${expect.example}`,
    );
  }
  if (!expect.protocols.includes(parsed.protocol)) {
    const allowed = expect.protocols.map((p) => `${p}//`).join(' or ');
    throw new StoreError(
      'invalid_input',
      `the ${expect.label} must start with ${allowed}, not ${parsed.protocol}//${expect.otherwise?.(parsed.protocol) ?? ''}`,
    );
  }
  return parsed;
}
