/**
 * The charts are exported (`import { connectionMachine } from 'tabcast'`) and run on their own:
 * without `createTabcast` to provide the platform, they keep time with the wall clock and jitter
 * with `Math.random`, they have no transport, lock or channel (a connect never opens by itself;
 * posts go nowhere), and a 401 cannot be refreshed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AnyActorLogic, createActor, createMachine, fromCallback } from 'xstate';
import { connectionMachine } from '../../machines/connection.machine.js';
import type { ConnectionInput } from '../../machines/connection.types.js';
import { CONNECTION_TIMING_DEFAULTS } from '../../machines/connection.utils.js';
import type { ChannelCommand } from '../../machines/events.js';
import { leadershipMachine } from '../../machines/leadership.machine.js';
import type { LeadershipInput } from '../../machines/leadership.types.js';
import { LEADERSHIP_TIMING_DEFAULTS } from '../../machines/leadership.utils.js';
import type { ChannelBody } from '../../machines/protocol.js';
import { type SessionInput, sessionMachine } from '../../machines/session.machine.js';

const START = 1_000_000;
const { connectTimeoutMs, stallTimeoutMs, serverCloseJitterMs } = CONNECTION_TIMING_DEFAULTS;
const settings = {
  url: '/events',
  wire: 'tabcast',
  transport: 'eventsource',
  lastEventIdParam: 'lastEventId',
  withCredentials: false,
  sessionOn401: true,
} as const;
const connectionInput: ConnectionInput = {
  ...settings,
  scope: 'app:ada',
  clientId: 'tab-1',
  epoch: 1,
  interest: { topics: ['news'], events: ['tick'] },
  hidden: false,
};

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Runs `logic` under a parent that plays the scope's channel: what the chart posts lands in
 * `posts`, as a `channel` actor of the system would hear it.
 */
function withChannel(logic: AnyActorLogic, input: unknown) {
  const posts: ChannelBody[] = [];
  const parent = createMachine({
    invoke: [
      {
        id: 'channel',
        systemId: 'channel',
        src: fromCallback<ChannelCommand>(({ receive }) => {
          receive((command) => {
            if (command.type === 'channel.post') posts.push(command.body);
          });
        }),
      },
      { id: 'chart', src: logic, input },
    ],
  });
  const actor = createActor(parent).start();
  const chart = actor.getSnapshot().children.chart!;
  return { actor, chart, posts };
}

describe('the connection chart alone', () => {
  const connection = () => createActor(connectionMachine, { input: connectionInput }).start();

  it('connects at once, and backs off a connect that hangs past its timeout', () => {
    const actor = connection();
    expect(actor.getSnapshot().value).toEqual({ live: 'connecting' });
    vi.advanceTimersByTime(connectTimeoutMs - 1);
    expect(actor.getSnapshot().value).toEqual({ live: 'connecting' });
    vi.advanceTimersByTime(1);
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('backoff');
    expect(context.error).toEqual({ code: 'timeout', status: undefined });
    const wait = context.retryAt! - Date.now();
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(wait).toBeLessThanOrEqual(1_000);
    expect(wait).toBe(context.retryDelayMs);
    vi.advanceTimersByTime(wait);
    expect(actor.getSnapshot().value).toEqual({ live: 'connecting' });
  });

  it('settles a late timer on a wake by the wall clock: an overdue connect, a due retry', () => {
    const actor = connection();
    actor.send({ type: 'clock.check' });
    expect(actor.getSnapshot().value).toEqual({ live: 'connecting' });
    vi.setSystemTime(START + connectTimeoutMs - 1);
    actor.send({ type: 'clock.check' });
    expect(actor.getSnapshot().value).toEqual({ live: 'connecting' });
    vi.setSystemTime(START + connectTimeoutMs);
    actor.send({ type: 'clock.check' });
    expect(actor.getSnapshot().value).toBe('backoff');
    const { retryAt } = actor.getSnapshot().context;
    vi.setSystemTime(retryAt! - 1);
    actor.send({ type: 'clock.check' });
    expect(actor.getSnapshot().value).toBe('backoff');
    vi.setSystemTime(retryAt!);
    actor.send({ type: 'clock.check' });
    expect(actor.getSnapshot().value).toEqual({ live: 'connecting' });
  });

  it('gives up an overdue connect for good when no attempt is left', () => {
    const actor = createActor(connectionMachine, {
      input: {
        ...connectionInput,
        backoff: { strategy: 'full', baseMs: 1_000, capMs: 30_000, maxAttempts: 1 },
      },
    }).start();
    vi.setSystemTime(START + connectTimeoutMs);
    actor.send({ type: 'clock.check' });
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().context.error?.code).toBe('max_attempts');
  });

  it('reconnects a stream quiet for the stall timeout, measured from its last sign of life', () => {
    const actor = connection();
    actor.send({ type: 'source.open', at: Date.now() });
    expect(actor.getSnapshot().matches({ live: 'open' })).toBe(true);
    vi.advanceTimersByTime(30_000);
    actor.send({ type: 'source.activity', at: Date.now() });
    vi.advanceTimersByTime(stallTimeoutMs - 1);
    expect(actor.getSnapshot().matches({ live: 'open' })).toBe(true);
    vi.advanceTimersByTime(1);
    expect(actor.getSnapshot().value).toBe('backoff');
    expect(actor.getSnapshot().context.error?.code).toBe('stalled');
  });

  it("comes back within the server's close jitter after a server_close", () => {
    const actor = connection();
    actor.send({ type: 'source.open', at: Date.now() });
    actor.send({
      type: 'source.control',
      control: 'server_close',
      reason: 'replaced',
      id: null,
      at: Date.now(),
    });
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('serverClosed');
    const wait = context.retryAt! - Date.now();
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(wait).toBeLessThanOrEqual(serverCloseJitterMs);
    vi.setSystemTime(context.retryAt!);
    actor.send({ type: 'clock.check' });
    expect(actor.getSnapshot().value).toEqual({ live: 'connecting' });
  });
});

describe('the leadership chart alone (the BroadcastChannel election)', () => {
  const input: LeadershipInput = {
    tabId: 'tab-2',
    mode: 'fallback',
    scope: 'app:ada',
    interest: { topics: [], events: [] },
    connection: settings,
  };
  const { leaderTimeoutMs, watchdogIntervalMs, electionWindowMs } = LEADERSHIP_TIMING_DEFAULTS;
  const fromLeader = (body: Record<string, unknown>) => ({
    type: 'channel.message' as const,
    message: { v: 1, scope: 'app:ada', from: 'tab-1', ...body } as never,
    receivedAt: Date.now(),
  });

  it('leads after the election window when nobody answers its claim', () => {
    const { chart, posts } = withChannel(leadershipMachine, input);
    expect(posts).toEqual([
      { type: 'hello' },
      { type: 'topics', topics: [], events: [], knownEpoch: 0 },
      { type: 'claim', epoch: 1 },
    ]);
    vi.advanceTimersByTime(electionWindowMs);
    expect(chart.getSnapshot().value).toEqual({ fallback: { leading: 'beating' } });
    expect(posts).toContainEqual({ type: 'heartbeat', epoch: 1 });
  });

  it('claims anew past the term a peer has heard, and leads that one', () => {
    const { chart, posts } = withChannel(leadershipMachine, input);
    vi.advanceTimersByTime(electionWindowMs - 1);
    chart.send(fromLeader({ type: 'topics', topics: [], events: [], knownEpoch: 4 }));
    expect(posts.at(-1)).toEqual({ type: 'claim', epoch: 5 });
    // A second peer that knows the same term changes nothing: the claim already passes it.
    chart.send(fromLeader({ type: 'topics', topics: [], events: [], knownEpoch: 4 }));
    expect(posts.filter((post) => post.type === 'claim')).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(chart.getSnapshot().value).toEqual({ fallback: 'campaigning' });
    vi.advanceTimersByTime(electionWindowMs);
    expect(chart.getSnapshot().value).toEqual({ fallback: { leading: 'beating' } });
    expect(posts).toContainEqual({ type: 'heartbeat', epoch: 5 });
  });

  it('campaigns once the leader has been silent for the leader timeout, by the wall clock', () => {
    const { chart } = withChannel(leadershipMachine, input);
    chart.send(fromLeader({ type: 'heartbeat', epoch: 1 }));
    expect(chart.getSnapshot().value).toEqual({ fallback: { following: 'watching' } });
    vi.advanceTimersByTime(Math.floor(leaderTimeoutMs / watchdogIntervalMs) * watchdogIntervalMs);
    expect(chart.getSnapshot().value).toEqual({ fallback: { following: 'watching' } });
    vi.advanceTimersByTime(watchdogIntervalMs);
    expect(chart.getSnapshot().value).toEqual({ fallback: 'campaigning' });
  });

  it('asks a living leader to retry, and campaigns when the leader is silent', () => {
    const { chart, posts } = withChannel(leadershipMachine, input);
    chart.send(fromLeader({ type: 'heartbeat', epoch: 1 }));
    chart.send({ type: 'connection.retry' });
    expect(posts.at(-1)).toEqual({ type: 'retry' });
    vi.setSystemTime(START + leaderTimeoutMs + 1);
    chart.send({ type: 'connection.retry' });
    expect(chart.getSnapshot().value).toEqual({ fallback: 'campaigning' });
  });

  it("wakes a hidden leader when its reported deadline is due, by the follower's clock", () => {
    const { chart, posts } = withChannel(leadershipMachine, input);
    const status = { phase: 'connecting', attempt: 0, retryAt: null, error: null };
    const wakeAt = START + 2_500;
    chart.send(
      fromLeader({ type: 'state', stream: '/events', epoch: 1, status, topics: [], wakeAt }),
    );
    vi.advanceTimersByTime(2 * watchdogIntervalMs);
    expect(posts.filter((post) => post.type === 'wake')).toEqual([]);
    chart.send(fromLeader({ type: 'heartbeat', epoch: 1 }));
    vi.advanceTimersByTime(watchdogIntervalMs);
    expect(posts.filter((post) => post.type === 'wake')).toEqual([{ type: 'wake' }]);
    chart.send(fromLeader({ type: 'heartbeat', epoch: 1 }));
    vi.advanceTimersByTime(watchdogIntervalMs);
    expect(posts.filter((post) => post.type === 'wake')).toHaveLength(1);
  });

  it('with Web Locks that never answer, a visible follower still wakes the leader on time', () => {
    const { chart, posts } = withChannel(leadershipMachine, { ...input, mode: 'locks' });
    const status = { phase: 'reconnecting', attempt: 1, retryAt: START + 800, error: null };
    chart.send(
      fromLeader({
        type: 'state',
        stream: '/events',
        epoch: 1,
        status,
        topics: [],
        wakeAt: START + 800,
      }),
    );
    vi.advanceTimersByTime(799);
    expect(posts.filter((post) => post.type === 'wake')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(posts.filter((post) => post.type === 'wake')).toEqual([{ type: 'wake' }]);
  });
});

describe('the session chart alone', () => {
  it('signs out on a 401, having nobody to refresh credentials', async () => {
    const input: SessionInput = {
      tabId: 'tab-1',
      appKey: 'app',
      mode: 'solo',
      connection: settings,
      signOutGraceMs: 100,
    };
    const actor = createActor(sessionMachine, { input }).start();
    actor.send({ type: 'auth.login', userId: 'ada' });
    actor.send({ type: 'auth.expired' });
    expect(actor.getSnapshot().value).toEqual({ signedIn: 'refreshing' });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toEqual({ signedIn: 'signingOut' });
    await vi.advanceTimersByTimeAsync(100);
    expect(actor.getSnapshot().value).toBe('signedOut');
  });
});
