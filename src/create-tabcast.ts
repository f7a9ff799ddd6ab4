import { type Actor, assign, createActor, fromPromise } from 'xstate';
import { connectionMachine } from '../machines/connection.machine.js';
import {
  connectOverdue,
  planRetry,
  planServerCloseRetry,
  retryDue,
  untilStalled,
} from '../machines/connection.utils.js';
import { type DecodedEnvelope, decodeEnvelope } from '../machines/delivery.js';
import type { SseMessage } from '../machines/events.js';
import { leadershipMachine } from '../machines/leadership.machine.js';
import { leaderDue, leaderSilent, untilAlarm } from '../machines/leadership.utils.js';
import { sessionMachine } from '../machines/session.machine.js';
import type { Mode, TabcastStatus } from '../machines/status.js';
import { streamsMachine } from '../machines/streams.machine.js';
import { type TabEmitted, tabMachine } from '../machines/tab.machine.js';
import { trackBarrier } from './actors/barrier.js';
import { type ChannelCounters, trackChannel } from './actors/channel.js';
import { trackLifecycle } from './actors/lifecycle.js';
import { trackLock, trackPeers } from './actors/lock.js';
import { TabcastError, TabcastHandlerError, TabcastParseError } from './errors.js';
import { assertEventName, assertTopic, endpointOf } from './names.js';
import { assertGraceMs, resolveOptions, type TabcastOptions } from './options.js';
import { browserPlatform, type Platform } from './platform.js';
import { eventSourceTransport } from './transport/event-source.js';
import { fetchTransport } from './transport/fetch.js';

/** Where an event came from. */
export interface EventMeta {
  id: string | null;
  topic: string;
  event: string;
}

/** Handlers keyed by SSE event name; each gets the typed payload. */
export type Handlers<Events extends object> = {
  [Name in keyof Events & string]?: (data: Events[Name], meta: EventMeta) => void;
};

export interface SubscribeOptions {
  /**
   * The stream cannot prove it missed nothing for this topic (first connect, resume without an
   * id, a topic newly added, a server `reset`): refetch the state the deltas apply to.
   */
  resync?: () => void;
  /** Data of this topic that could not be decoded or parsed. */
  error?: (error: TabcastParseError) => void;
  /**
   * How long the topic stays in the tab's union after the unsubscribe, in ms; the handlers hear
   * nothing from the unsubscribe on. A subscription to the same topic within the delay (React's
   * StrictMode remount, the next page of a route change) then costs no reconnect. A subscription
   * to a topic the tab does not have reconnects anyway, so it ends every release still waiting:
   * both changes ride on that one reconnect. The delay runs on the handle's clock
   * (`platform.clock`). `useTopic` passes the provider's `graceMs`.
   * @default 0 (the topic leaves at once)
   */
  graceMs?: number;
}

export interface TabcastDiagnostics {
  /** Channel messages dropped by validation (garbage, wrong version, wrong scope). */
  invalidChannelMessages: number;
  /** Events this tab had delivered already. */
  duplicatesDropped: number;
  /**
   * Where the companion's stream would resume if this tab led it: the newest id it delivered (or
   * a `reset` gave); null on the plain wire (see `lastEventIds`).
   */
  lastEventId: string | null;
  /** The same, for every stream this tab delivered from, by endpoint. */
  lastEventIds: Record<string, string | null>;
}

export type TabcastActor = Actor<typeof tabMachine>;

export interface Tabcast<Events extends object = Record<string, unknown>> {
  /** Joins the user's scope in this tab. A different user first leaves the current scope. */
  login(user: { userId: string }): void;
  /** Signs out every tab of the scope; nothing reconnects until a new `login`. */
  logout(): void;
  /**
   * Listens to events of `topic`. Subscriptions are refcounted per topic and tab; the returned
   * function unsubscribes (calling it twice is harmless).
   * @example
   * const stop = tabcast.subscribe('results:42', { 'status-changed': (data) => render(data) },
   *   { resync: () => refetch() });
   */
  subscribe(topic: string, handlers: Handlers<Events>, options?: SubscribeOptions): () => void;
  /** Reconnects now, from any tab (a follower asks the leader). */
  retry(): void;
  /** This tab's view of the shared connection. */
  readonly status: TabcastStatus;
  /**
   * Called when the status changes (phase, role, attempt, error…; not on every event); returns
   * the unsubscribe function.
   */
  onStatus(listener: (status: TabcastStatus) => void): () => void;
  /** The root XState actor (for `useSelector`, the inspector, tests). */
  readonly actor: TabcastActor;
  diagnostics(): TabcastDiagnostics;
  /** Leaves the scope and stops everything: no timer, listener, channel or lock remains. */
  dispose(): void;
}

/** What the handle keeps of a subscription; the tab chart decides when it resyncs. */
interface Subscription {
  topic: string;
  handlers: Record<string, ((data: unknown, meta: EventMeta) => void) | undefined>;
  options: SubscribeOptions;
}

function randomTabId(random: () => number): string {
  return `${Date.now().toString(36)}-${Math.floor(random() * 2 ** 48).toString(36)}`;
}

function modeOf(platform: Platform): Mode {
  if (!platform.BroadcastChannel) return 'solo';
  return platform.locks ? 'locks' : 'fallback';
}

/**
 * Creates this tab's tabcast: one shared SSE connection for every tab of the signed-in user.
 *
 * @example
 * const tabcast = createTabcast({ url: '/events', appKey: 'shop' });
 * tabcast.login({ userId: 'ada' });
 * const stop = tabcast.subscribe('orders', { 'order-placed': (order) => show(order) });
 */
export function createTabcast<Events extends object = Record<string, unknown>>(
  options: TabcastOptions<Events>,
): Tabcast<Events> {
  const settings = resolveOptions(options);
  const platform: Platform = { ...browserPlatform(), ...options.platform };
  const tabId = options.tabId ?? randomTabId(platform.random);
  const counters: ChannelCounters = { invalidMessages: 0 };
  const now = () => platform.now();

  const connection = connectionMachine.provide({
    actors: {
      barrier: trackBarrier(platform.BroadcastChannel, platform.random, now),
      transport:
        settings.transport === 'fetch'
          ? fetchTransport(platform, options.credentials)
          : eventSourceTransport(platform),
    },
    delays: {
      stallCheck: ({ context }) => untilStalled(context, now()),
    },
    guards: {
      isStalled: ({ context }) => untilStalled(context, now()) === 0,
      isConnectOverdue: ({ context }) => connectOverdue(context, now()),
      isRetryDue: ({ context }) => retryDue(context, now()),
    },
    actions: {
      scheduleRetry: assign(({ context }) => planRetry(context, platform.random, now)),
      scheduleServerCloseRetry: assign(({ context }) =>
        planServerCloseRetry(context, platform.random, now),
      ),
    },
  });
  const streams = streamsMachine.provide({ actors: { connection } });
  const leadership = leadershipMachine.provide({
    actors: { streams, lock: trackLock(platform.locks), peers: trackPeers(platform.locks) },
    guards: {
      isLeaderSilent: ({ context }) => leaderSilent(context, now()),
      isLeaderDue: ({ context }) => leaderDue(context, now()),
    },
    delays: {
      untilLeaderDeadline: ({ context }) => untilAlarm(context, now()),
    },
  });
  const refreshCredentials = options.refreshCredentials;
  const session = sessionMachine.provide({
    actors: {
      leadership,
      channel: trackChannel(platform.BroadcastChannel, counters, now),
      lifecycle: trackLifecycle(platform.window, platform.document),
      refresh: fromPromise(async () => {
        if (!refreshCredentials || (await refreshCredentials()) === false) {
          throw new TabcastError('rejected', 'tabcast: credentials could not be refreshed');
        }
      }),
    },
  });
  const actor = createActor(tabMachine.provide({ actors: { session } }), {
    id: 'tab',
    systemId: 'tab',
    input: {
      tabId,
      appKey: settings.appKey,
      mode: modeOf(platform),
      connection: {
        url: settings.url,
        wire: settings.wire,
        transport: settings.transport,
        lastEventIdParam: settings.lastEventIdParam,
        withCredentials: settings.withCredentials,
        sessionOn401: settings.wire === 'tabcast' || options.refreshCredentials !== undefined,
        backoff: settings.backoff,
        timing: settings.timing,
      },
      leadershipTiming: settings.timing,
      signOutGraceMs: settings.timing.signOutGraceMs,
      inert: !platform.window,
    },
    ...(platform.clock ? { clock: platform.clock } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  const subscriptions = new Map<string, Subscription>();
  let subscriptionCount = 0;
  /** The subscription being added: a resync it gets at once waits until `subscribe` returns. */
  let adding: string | null = null;
  const report =
    options.onError ??
    ((error: TabcastParseError | TabcastHandlerError) =>
      console.warn(
        error instanceof TabcastParseError
          ? `tabcast: ${error.code} for event '${error.event}' (id ${error.id ?? 'none'})`
          : error.message,
      ));
  /** Runs an app callback; a throw is reported and never reaches the charts. */
  const guarded = (callback: string, run: () => void) => {
    try {
      run();
    } catch (cause) {
      report(new TabcastHandlerError(callback, cause));
    }
  };
  const parsers = options.events ?? {};

  /** The subscriptions of each topic, so an event reaches only its own. */
  const byTopic = new Map<string, Set<Subscription>>();
  /** Delivers one event: decoded and parsed once, handed to each subscription of its topic. */
  const deliverOne = (stream: string, { id, event, data }: SseMessage) => {
    // The plain wire has no envelope: the endpoint is the topic, the data is as the server sent it.
    const envelope: DecodedEnvelope =
      settings.wire === 'plain' ? { ok: true, topic: stream, data } : decodeEnvelope(data);
    let payload: unknown;
    let error: TabcastParseError | undefined;
    if (!envelope.ok) {
      error = new TabcastParseError(`tabcast: ${envelope.reason}`, event, id, envelope.cause);
    } else {
      const parse = (parsers as Record<string, { parse?: (data: unknown) => unknown }>)[event]
        ?.parse;
      try {
        payload = parse ? parse(envelope.data) : envelope.data;
      } catch (cause) {
        error = new TabcastParseError(
          `tabcast: parse failed for event '${event}'`,
          event,
          id,
          cause,
        );
      }
    }
    const topic = envelope.ok ? envelope.topic : null;
    // No topic to read (data that is no envelope): every subscription of the event name hears it.
    const audience = topic === null ? subscriptions.values() : (byTopic.get(topic) ?? []);
    let handled = false;
    for (const subscription of [...audience]) {
      const handler = subscription.handlers[event];
      if (!handler) continue;
      if (error) {
        const onParseError = subscription.options.error;
        if (onParseError) {
          guarded('error', () => onParseError(error));
          handled = true;
        }
      } else {
        guarded(event, () => handler(payload, { id, topic: topic!, event }));
      }
    }
    if (error && !handled) report(error);
  };
  const deliver = ({ stream, events }: Extract<TabEmitted, { type: 'delivery' }>) => {
    for (const message of events) deliverOne(stream, message);
  };
  const resyncOne = (id: string) => {
    const onResync = subscriptions.get(id)?.options.resync;
    if (onResync) guarded('resync', onResync);
  };
  const resync = ({ subscriptions: ids }: Extract<TabEmitted, { type: 'resync' }>) => {
    for (const id of ids) {
      if (id === adding) queueMicrotask(() => resyncOne(id));
      else resyncOne(id);
    }
  };

  actor.on('delivery', deliver);
  actor.on('resync', resync);
  /** The resume id of each stream, from the tab's ledgers (the one owner). */
  const resumeIds = () => {
    const lastEventIds = Object.fromEntries(
      Object.entries(actor.getSnapshot().context.deliveries).map(([stream, delivery]) => [
        stream,
        delivery.ledger.lastEventId,
      ]),
    );
    const lastEventId = settings.wire === 'tabcast' ? (lastEventIds[settings.url] ?? null) : null;
    return { lastEventId, lastEventIds };
  };

  actor.start();
  let disposed = false;
  const ensureLive = () => {
    if (disposed) throw new TabcastError('disposed', 'tabcast: this instance was disposed');
  };

  return {
    login(user) {
      ensureLive();
      if (typeof user !== 'object' || user === null) {
        throw new TabcastError('invalid_option', 'tabcast: login needs { userId }');
      }
      if (typeof user.userId !== 'string' || user.userId.length === 0 || user.userId.length > 256) {
        throw new TabcastError(
          'invalid_option',
          'tabcast: `userId` must be a string of 1-256 characters',
        );
      }
      actor.send({ type: 'auth.login', userId: user.userId });
    },
    logout() {
      ensureLive();
      actor.send({ type: 'auth.logout' });
    },
    subscribe(requested, handlers, subscribeOptions = {}) {
      ensureLive();
      let topic = requested;
      if (settings.wire === 'plain') topic = endpointOf(settings.url, requested);
      else assertTopic(topic);
      if (typeof handlers !== 'object' || handlers === null) {
        throw new TabcastError('invalid_option', 'tabcast: subscribe needs an object of handlers');
      }
      const graceMs = subscribeOptions.graceMs ?? 0;
      assertGraceMs(graceMs);
      const events = Object.keys(handlers);
      for (const name of events) {
        assertEventName(name, settings.wire);
        if (typeof (handlers as Record<string, unknown>)[name] !== 'function') {
          throw new TabcastError(
            'invalid_option',
            `tabcast: the handler for '${name}' must be a function`,
          );
        }
      }
      subscriptionCount += 1;
      const id = `s${subscriptionCount}`;
      const subscription: Subscription = {
        topic,
        handlers: handlers as Subscription['handlers'],
        options: subscribeOptions,
      };
      subscriptions.set(id, subscription);
      const ofTopic = byTopic.get(topic) ?? new Set();
      byTopic.set(topic, ofTopic.add(subscription));
      adding = id;
      try {
        actor.send({ type: 'subscription.add', id, topic, events });
      } finally {
        adding = null;
      }
      return () => {
        if (!subscriptions.delete(id)) return;
        ofTopic.delete(subscription);
        if (ofTopic.size === 0) byTopic.delete(topic);
        if (disposed) return;
        actor.send(
          graceMs > 0
            ? { type: 'subscription.release', id, graceMs }
            : { type: 'subscription.remove', id },
        );
      };
    },
    retry() {
      ensureLive();
      actor.send({ type: 'connection.retry' });
    },
    get status() {
      return actor.getSnapshot().context.status;
    },
    onStatus(listener) {
      let last = actor.getSnapshot().context.status;
      const subscription = actor.subscribe((snapshot) => {
        if (snapshot.context.status === last) return;
        last = snapshot.context.status;
        guarded('status', () => listener(last));
      });
      return () => subscription.unsubscribe();
    },
    actor,
    diagnostics() {
      return {
        invalidChannelMessages: counters.invalidMessages,
        duplicatesDropped: actor.getSnapshot().context.duplicatesDropped,
        ...resumeIds(),
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      actor.send({ type: 'tab.dispose' });
      actor.stop();
      subscriptions.clear();
      byTopic.clear();
    },
  };
}
