import { describe, expect, it } from 'vitest';

import { connectionsCheckingIntervalMs } from './create-http-server.ts';

describe(connectionsCheckingIntervalMs.name, () => {
  it('sweeps every second for the default 10 s / 30 s timeouts instead of every 30 s', () => {
    expect(
      connectionsCheckingIntervalMs({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 }),
    ).toBe(1_000);
  });

  it('sweeps at a quarter of the shortest timeout when that is under 4 s, but not below 25 ms', () => {
    expect(
      connectionsCheckingIntervalMs({ headersMs: 500, requestMs: 1_000, keepAliveMs: 1_000 }),
    ).toBe(125);
    expect(connectionsCheckingIntervalMs({ headersMs: 40, requestMs: 40, keepAliveMs: 100 })).toBe(
      25,
    );
  });
});
