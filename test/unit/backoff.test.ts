import { describe, expect, it } from 'vitest';
import { BACKOFF_DEFAULTS, type BackoffOptions, nextDelay } from '../../machines/backoff.js';

const policy = (overrides: Partial<BackoffOptions> = {}): BackoffOptions => ({
  ...BACKOFF_DEFAULTS,
  ...overrides,
});

describe('nextDelay', () => {
  it('full jitter spans 0 to min(cap, base * 2^attempt)', () => {
    expect(nextDelay({ attempt: 3, policy: policy(), random: () => 0 })).toBe(0);
    expect(nextDelay({ attempt: 3, policy: policy(), random: () => 0.5 })).toBe(4000);
    expect(nextDelay({ attempt: 3, policy: policy(), random: () => 0.999999 })).toBe(8000);
  });

  it('draws once when the server named no wait: no second draw can lengthen it', () => {
    const draws = [0.1, 0.9];
    expect(nextDelay({ attempt: 0, policy: policy(), random: () => draws.shift()! })).toBe(100);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [10, 50, 1000]) {
      expect(nextDelay({ attempt, policy: policy(), random: () => 0.999999 })).toBe(30_000);
    }
  });

  it('equal jitter keeps half the ceiling fixed', () => {
    expect(nextDelay({ attempt: 2, policy: policy({ strategy: 'equal' }), random: () => 0 })).toBe(
      2000,
    );
    expect(
      nextDelay({ attempt: 2, policy: policy({ strategy: 'equal' }), random: () => 0.999999 }),
    ).toBe(4000);
  });

  it('decorrelated jitter grows from the previous delay and stays under the cap', () => {
    const decorrelated = policy({ strategy: 'decorrelated' });
    expect(nextDelay({ attempt: 0, policy: decorrelated, random: () => 0, previousMs: 5000 })).toBe(
      1000,
    );
    expect(
      nextDelay({ attempt: 0, policy: decorrelated, random: () => 0.999999, previousMs: 5000 }),
    ).toBe(15_000);
    expect(
      nextDelay({ attempt: 0, policy: decorrelated, random: () => 0.999999, previousMs: 50_000 }),
    ).toBe(30_000);
  });

  it('no jitter is the plain exponential (the storm baseline)', () => {
    expect(nextDelay({ attempt: 4, policy: policy({ strategy: 'none' }), random: () => 0.3 })).toBe(
      16_000,
    );
  });

  it('Retry-After is a floor, spread by at most one base', () => {
    const delay = (random: number) =>
      nextDelay({ attempt: 0, policy: policy(), random: () => random, retryAfterMs: 2000 });
    expect(delay(0)).toBe(2000);
    expect(delay(0.5)).toBe(2500);
  });

  it("the server's retry: field is a floor, as EventSource waits it, spread by one retry", () => {
    const delay = (random: number, serverRetryMs: number) =>
      nextDelay({ attempt: 0, policy: policy(), random: () => random, serverRetryMs });
    expect(delay(0, 10_000)).toBe(10_000);
    expect(delay(0.5, 10_000)).toBe(15_000);
    expect(delay(0, 60_000)).toBe(60_000); // above capMs: the server's word wins
  });

  it("the server's retry: field replaces the base", () => {
    expect(
      nextDelay({ attempt: 1, policy: policy(), random: () => 0.999999, serverRetryMs: 250 }),
    ).toBe(500);
  });
});
