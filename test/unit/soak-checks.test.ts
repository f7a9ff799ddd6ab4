/**
 * The soak's detectors (`bench/soak/checks.ts`) fail on what they are there to find: an event
 * delivered twice, out of order or never without a resync, and a connect after the logout could
 * have been heard.
 */
import { describe, expect, it } from 'vitest';
import {
  type Delivery,
  deliveryViolations,
  LOGOUT_CONNECT_SLACK_MS,
  lateConnects,
} from '../../bench/soak/checks.js';
import type { ConnectAttempt } from '../browser/support/test-server.js';

/** Deliveries of `ns` in that order, 10 ms apart. */
const delivered = (...ns: number[]): Delivery[] => ns.map((n, index) => ({ n, at: index * 10 }));

describe('deliveryViolations', () => {
  it('finds nothing in every event once, in order', () => {
    expect(
      deliveryViolations({ deliveries: delivered(3, 4, 5, 6), resyncs: [], from: 3, to: 6 }),
    ).toEqual([]);
  });

  it('finds an event delivered twice', () => {
    expect(
      deliveryViolations({ deliveries: delivered(3, 4, 4, 5), resyncs: [], from: 3, to: 5 }),
    ).toEqual(['delivered more than once: 4']);
  });

  it('finds an event delivered after a later one', () => {
    expect(
      deliveryViolations({ deliveries: delivered(3, 5, 4, 6), resyncs: [], from: 3, to: 6 }),
    ).toEqual(['delivered out of order: 4']);
  });

  it('finds a run of events never delivered, as one span', () => {
    expect(
      deliveryViolations({ deliveries: delivered(1, 2, 6), resyncs: [], from: 1, to: 6 }),
    ).toEqual(['never delivered: 3–5 (no resync between the delivery of 2 and that of 6)']);
  });

  it('is excused by a resync between the deliveries around the gap, and only there', () => {
    const window = { deliveries: delivered(1, 2, 6, 7), from: 1, to: 7 };
    expect(deliveryViolations({ ...window, resyncs: [15] })).toEqual([]);
    expect(deliveryViolations({ ...window, resyncs: [25] })).toEqual([
      'never delivered: 3–5 (no resync between the delivery of 2 and that of 6)',
    ]);
  });

  it('counts the start and the end of the window, and nothing outside it', () => {
    expect(
      deliveryViolations({ deliveries: delivered(4, 5), resyncs: [], from: 2, to: 6 }),
    ).toEqual([
      'never delivered: 2–3 (no resync between its start and that of 4)',
      'never delivered: 6 (no resync between the delivery of 5 and its end)',
    ]);
    expect(
      deliveryViolations({ deliveries: delivered(1, 1, 4, 5), resyncs: [], from: 4, to: 5 }),
    ).toEqual([]);
  });
});

describe('lateConnects', () => {
  const attempt = (at: number): ConnectAttempt => ({
    at,
    user: 'ada',
    clientId: null,
    topics: ['news'],
    lastEventId: null,
    status: 200,
    refused: false,
  });

  it('excuses a connect within one round trip of the logout, not one after', () => {
    const logoutAt = 1_000;
    const attempts = [900, 1_000 + LOGOUT_CONNECT_SLACK_MS, 1_001 + LOGOUT_CONNECT_SLACK_MS];
    expect(lateConnects(attempts.map(attempt), logoutAt).map((late) => late.at)).toEqual([
      1_001 + LOGOUT_CONNECT_SLACK_MS,
    ]);
  });
});
