/**
 * What `tabcast.status` shows when a scope has several streams (one per endpoint on the plain
 * wire), and when it counts as changed: `onStatus` and selectors fire on a change, never on a
 * report that changes nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  type ConnectionStatus,
  combineStreams,
  patchStatus,
  SIGNED_OUT_STATUS,
  type TabcastStatus,
} from '../../machines/status.js';

const stream = (
  phase: ConnectionStatus['phase'],
  rest: Partial<ConnectionStatus> = {},
): ConnectionStatus => ({ phase, attempt: 0, retryAt: null, error: null, ...rest });

describe('several streams show as the one most in need of attention', () => {
  const urgency: ConnectionStatus['phase'][] = [
    'failed',
    'reconnecting',
    'connecting',
    'closed',
    'open',
    'idle',
  ];

  it.each(
    urgency.flatMap((urgent, index) => urgency.slice(index + 1).map((calm) => [urgent, calm])),
  )('%s before %s, whichever stream comes first', (urgent, calm) => {
    expect(combineStreams({ a: stream(calm), b: stream(urgent) }).phase).toBe(urgent);
    expect(combineStreams({ a: stream(urgent), b: stream(calm) }).phase).toBe(urgent);
  });

  it('shows the error of the first of equally urgent streams', () => {
    const combined = combineStreams({
      '/a': stream('failed', { error: { code: 'forbidden', status: 403 } }),
      '/b': stream('failed', { error: { code: 'max_attempts' } }),
    });
    expect(combined.error).toEqual({ code: 'forbidden', status: 403 });
  });

  it('shows the most attempts and the soonest retry of any stream', () => {
    const combined = combineStreams({
      '/a': stream('reconnecting', { attempt: 2, retryAt: 9_000 }),
      '/b': stream('open', { attempt: 5 }),
      '/c': stream('reconnecting', { attempt: 1, retryAt: 4_000 }),
      '/d': stream('reconnecting', { attempt: 3, retryAt: 6_000 }),
    });
    expect(combined).toEqual({ phase: 'reconnecting', attempt: 5, retryAt: 4_000, error: null });
  });

  it('shows no retry when no stream waits for one, and idle with no stream', () => {
    expect(combineStreams({ '/a': stream('open', { attempt: 1 }) }).retryAt).toBeNull();
    expect(combineStreams({})).toEqual({ phase: 'idle', attempt: 0, retryAt: null, error: null });
  });
});

describe('the status object changes only when what it shows changes', () => {
  const current: TabcastStatus = {
    ...SIGNED_OUT_STATUS,
    phase: 'reconnecting',
    role: 'leader',
    userId: 'ada',
    attempt: 1,
    error: { code: 'http', status: 503 },
    streams: { '/e': stream('reconnecting', { attempt: 1, retryAt: 5_000 }) },
  };

  it('keeps the same object for a report that changes nothing', () => {
    expect(patchStatus(current, {})).toBe(current);
    expect(
      patchStatus(current, {
        role: 'leader',
        error: { code: 'http', status: 503 },
        streams: { '/e': stream('reconnecting', { attempt: 1, retryAt: 5_000 }) },
      }),
    ).toBe(current);
    const healthy = { ...current, error: null };
    expect(patchStatus(healthy, { error: null })).toBe(healthy);
  });

  it.each<[string, Partial<TabcastStatus>]>([
    ['the role', { role: 'follower' }],
    ['the phase', { phase: 'open' }],
    ['the error code', { error: { code: 'network', status: 503 } }],
    ['the error status', { error: { code: 'http', status: 502 } }],
    ['an error gone', { error: null }],
    ['a stream added', { streams: { ...current.streams, '/f': stream('open') } }],
    ['a stream gone', { streams: {} }],
    ['a stream renamed', { streams: { '/f': current.streams['/e']! } }],
    ['a stream phase', { streams: { '/e': stream('open', { attempt: 1, retryAt: 5_000 }) } }],
    [
      'a stream attempt',
      { streams: { '/e': stream('reconnecting', { attempt: 2, retryAt: 5_000 }) } },
    ],
    [
      'a stream retry',
      { streams: { '/e': stream('reconnecting', { attempt: 1, retryAt: 6_000 }) } },
    ],
    [
      'a stream error',
      {
        streams: {
          '/e': stream('reconnecting', { attempt: 1, retryAt: 5_000, error: { code: 'network' } }),
        },
      },
    ],
  ])('gives a new object when %s changes', (_what, patch) => {
    const next = patchStatus(current, patch);
    expect(next).not.toBe(current);
    expect(next).toEqual({ ...current, ...patch });
  });

  it('gives a new object when one of several streams changes', () => {
    const two = { ...current, streams: { '/a': stream('open'), '/b': stream('open') } };
    const next = patchStatus(two, { streams: { '/a': stream('open'), '/b': stream('closed') } });
    expect(next).not.toBe(two);
    expect(next.streams['/b']?.phase).toBe('closed');
  });

  it('gives a new object when an error appears', () => {
    const healthy = { ...current, error: null };
    expect(patchStatus(healthy, { error: { code: 'stalled' } })).toEqual({
      ...healthy,
      error: { code: 'stalled' },
    });
    const streamHealthy = { ...current, streams: { '/e': stream('open') } };
    const streamFailing = { '/e': stream('open', { error: { code: 'stalled' } }) };
    expect(patchStatus(streamHealthy, { streams: streamFailing })).not.toBe(streamHealthy);
  });
});
