/**
 * The soak's detectors (`bench/soak/checks.ts`) fail on what they are there to find: an event
 * delivered twice, out of order or never without a resync; a connect started after the logout was
 * heard, or one no tab accounts for arriving past a round trip.
 */
import { describe, expect, it } from 'vitest';
import {
  connectsAfterSignOut,
  type Delivery,
  deliveryViolations,
  lateConnects,
  ROUND_TRIP_MS,
} from '../../bench/soak/checks.js';
import type { RecordedConnect } from '../browser/support/page-api.js';
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
    ).toEqual(['delivered out of order: 4 (in the order 3, 5, 4, 6)']);
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
    const judgedBefore = { deliveries: delivered(1, 1, 4, 5), resyncs: [], since: 2 };
    expect(deliveryViolations({ ...judgedBefore, from: 4, to: 5 })).toEqual([]);
  });

  it('judges every delivery since the last check, whatever its n', () => {
    // 4 and 5 were checked; then the old 2 and 3 come again, and 1 for the first time, late.
    const window = { deliveries: delivered(2, 3, 4, 5, 2, 3, 1, 6), resyncs: [], since: 4 };
    expect(deliveryViolations({ ...window, from: 6, to: 6 })).toEqual([
      'delivered more than once: 2–3',
      'delivered out of order: 1 (in the order 4, 5, 2, 3, 1, 6)',
    ]);
  });
});

describe('the logout checks', () => {
  const attempt = (at: number, clientId: string | null = 'tab-a'): ConnectAttempt => ({
    at,
    user: 'ada',
    clientId,
    topics: ['news'],
    lastEventId: null,
    status: 200,
    refused: false,
  });
  const start = (at: number, phase: RecordedConnect['phase'], clientId = 'tab-a') => ({
    url: `/events?topics=news&clientId=${clientId}`,
    at,
    phase,
  });
  const calledAt = 1_000;

  it('find a connect a tab started once signed out', () => {
    const started = [start(990, 'reconnecting'), start(1_200, 'signedOut')];
    expect(connectsAfterSignOut(started)).toEqual([started[1]]);
  });

  it('excuse a logged connect its tab started while signed in, however late it arrived', () => {
    const started = [start(1_003, 'connecting')];
    expect(lateConnects({ calledAt, attempts: [attempt(1_400)], started })).toEqual([]);
  });

  it('excuse one logged connect per start, and no other tab’s', () => {
    const started = [start(1_003, 'connecting')];
    const attempts = [attempt(1_010), attempt(1_300), attempt(1_400, 'tab-b')];
    expect(lateConnects({ calledAt, attempts, started }).map((late) => late.at)).toEqual([
      1_300, 1_400,
    ]);
  });

  it('excuse a connect no tab accounts for within one round trip of the logout, not after', () => {
    const attempts = [900, calledAt + ROUND_TRIP_MS, calledAt + ROUND_TRIP_MS + 1].map((at) =>
      attempt(at),
    );
    expect(lateConnects({ calledAt, attempts, started: [] }).map((late) => late.at)).toEqual([
      calledAt + ROUND_TRIP_MS + 1,
    ]);
  });

  it('do not count a start made after the sign-out as accounting for anything', () => {
    const started = [start(1_200, 'signedOut')];
    expect(lateConnects({ calledAt, attempts: [attempt(1_210)], started })).toHaveLength(1);
  });
});
