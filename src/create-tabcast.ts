import { type Actor, assign, createActor, fromPromise } from 'xstate';
import {
  connectionMachine,
  planRetry,
  planServerCloseRetry,
} from '../machines/connection.machine.js';
import { leadershipMachine } from '../machines/leadership.machine.js';
import { sessionMachine } from '../machines/session.machine.js';
import { type TabEmitted, tabMachine } from '../machines/tab.machine.js';
import { type ChannelCounters, trackChannel } from './actors/channel.js';
import { trackLifecycle } from './actors/lifecycle.js';
import { trackLock } from './actors/lock.js';
import { decodeEnvelope } from './delivery.js';
import { TabcastError, TabcastHandlerError, TabcastParseError } from './errors.js';
import { assertEventName, assertTopic } from './names.js';
import { resolveOptions, type TabcastOptions } from './options.js';
import { browserPlatform, type Platform } from './platform.js';
import type { Mode, TabcastStatus } from './status.js';
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
}

export interface TabcastDiagnostics {
  /** Channel messages dropped by validation (garbage, wrong version, wrong scope). */
  invalidChannelMessages: number;
  /** Events this tab had delivered already. */
  duplicatesDropped: number;
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
  /** Called on every status change; returns the unsubscribe function. */
  onStatus(listener: (status: TabcastStatus) => void): () => void;
  /** The root XState actor (for `useSelector`, the inspector, tests). */
  readonly actor: TabcastActor;
  diagnostics(): TabcastDiagnostics;
  /** Leaves the scope and stops everything: no timer, listener, channel or lock remains. */
  dispose(): void;
}

interface Subscription {
  topic: string;
  events: string[];
  handlers: Record<string, ((data: unknown, meta: EventMeta) => void) | undefined>;
  options: SubscribeOptions;
  /** A new subscription has no state yet: it resyncs once its topic is on an open stream. */
  awaitingResync: boolean;
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
      transport:
        settings.transport === 'fetch'
          ? fetchTransport(platform, options.credentials)
          : eventSourceTransport(platform),
    },
    actions: {
      scheduleRetry: assign(({ context }) => planRetry(context, platform.random, now)),
      scheduleServerCloseRetry: assign(({ context }) =>
        planServerCloseRetry(context, platform.random, now),
      ),
    },
  });
  const leadership = leadershipMachine.provide({
    actors: { connection, lock: trackLock(platform.locks) },
    guards: {
      isLeaderSilent: ({ context }) => now() - context.lastHeardAt > context.timing.leaderTimeoutMs,
    },
  });
  const refreshCredentials = options.refreshCredentials;
  const session = sessionMachine.provide({
    actors: {
      leadership,
      channel: trackChannel(platform.BroadcastChannel, counters, now),
      lifecycle: trackLifecycle(platform.window),
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
        transport: settings.transport,
        lastEventIdParam: settings.lastEventIdParam,
        withCredentials: settings.withCredentials,
        backoff: settings.backoff,
        timing: settings.timing,
      },
      leadershipTiming: settings.timing,
      signOutGraceMs: settings.timing.signOutGraceMs,
    },
    ...(platform.clock ? { clock: platform.clock } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  const subscriptions = new Set<Subscription>();
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

  const deliver = ({ id, event, data }: Extract<TabEmitted, { type: 'delivery' }>) => {
    const envelope = decodeEnvelope(data);
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
    let handled = false;
    for (const subscription of [...subscriptions]) {
      if (topic !== null && subscription.topic !== topic) continue;
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
  const resyncOne = (subscription: Subscription) => {
    subscription.awaitingResync = false;
    const onResync = subscription.options.resync;
    if (onResync) guarded('resync', onResync);
  };
  const resync = ({ topics }: Extract<TabEmitted, { type: 'resync' }>) => {
    for (const subscription of [...subscriptions]) {
      if (topics.includes(subscription.topic)) resyncOne(subscription);
    }
  };
  /** The topics the open stream carries (and proves), or none while it is not open. */
  const streamedTopics = () => {
    const { context } = actor.getSnapshot();
    return context.status.phase === 'open' ? context.provenTopics : [];
  };
  const resyncNewSubscriptions = () => {
    const streamed = streamedTopics();
    if (streamed.length === 0) return;
    for (const subscription of [...subscriptions]) {
      if (subscription.awaitingResync && streamed.includes(subscription.topic)) {
        resyncOne(subscription);
      }
    }
  };

  actor.on('delivery', deliver);
  actor.on('resync', resync);
  actor.subscribe(resyncNewSubscriptions);
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
    subscribe(topic, handlers, subscribeOptions = {}) {
      ensureLive();
      assertTopic(topic);
      if (typeof handlers !== 'object' || handlers === null) {
        throw new TabcastError('invalid_option', 'tabcast: subscribe needs an object of handlers');
      }
      const events = Object.keys(handlers);
      for (const name of events) {
        assertEventName(name);
        if (typeof (handlers as Record<string, unknown>)[name] !== 'function') {
          throw new TabcastError(
            'invalid_option',
            `tabcast: the handler for '${name}' must be a function`,
          );
        }
      }
      const subscription: Subscription = {
        topic,
        events,
        handlers: handlers as Subscription['handlers'],
        options: subscribeOptions,
        awaitingResync: true,
      };
      subscriptions.add(subscription);
      actor.send({ type: 'subscription.add', topic, events });
      // Already on the open stream: resync once the caller has its unsubscribe function.
      if (streamedTopics().includes(topic)) queueMicrotask(resyncNewSubscriptions);
      return () => {
        if (!subscriptions.delete(subscription) || disposed) return;
        actor.send({ type: 'subscription.remove', topic, events });
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
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      actor.send({ type: 'tab.dispose' });
      actor.stop();
      subscriptions.clear();
    },
  };
}
