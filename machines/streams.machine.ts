/**
 * streams — the leader's streams: one `connection` per endpoint of the scope.
 *
 * On the companion's wire that is one stream, carrying every tab's topics. On the plain wire a
 * topic is an endpoint, and each has its own connection, named after it in the inspector. The
 * chart is invoked while this tab leads, so leaving leadership stops every stream by
 * construction. A stream starts when its endpoint is first wanted; when no tab wants it any more
 * its connection goes idle (no request) and waits, in case a tab wants it again.
 */
import { assertEvent, assign, enqueueActions, setup } from 'xstate';
import { connectionMachine } from './connection.machine.js';
import type { ConnectionInput } from './connection.types.js';
import type { Interest, LifecycleEvent, SharedEvent } from './events.js';

/** What every connection of this tab shares; the rest comes from the leader. */
export type ConnectionSettings = Omit<
  ConnectionInput,
  'scope' | 'clientId' | 'epoch' | 'interest' | 'hidden'
>;

export interface StreamsInput {
  settings: ConnectionSettings;
  /** The scope: a connection's barrier runs on its channel. */
  scope: string;
  /** The leader's tab id: the companion replaces an older stream of the same client. */
  clientId: string;
  epoch: number;
  /** The union of every tab's interest. */
  interest: Interest;
  /** Whether this tab's page is hidden (changes arrive as `lifecycle.visibility`). */
  hidden: boolean;
}

export interface StreamsContext extends StreamsInput {
  /** The endpoints that have a connection. */
  started: string[];
}

export type StreamsEvent =
  | Extract<
      SharedEvent,
      {
        type:
          | 'interest.changed'
          | 'connection.retry'
          | 'auth.refreshed'
          | 'peer.hello'
          | 'clock.check';
      }
    >
  | Extract<LifecycleEvent, { type: 'lifecycle.online' | 'lifecycle.visibility' }>;

/** The endpoints the interest asks for: the companion's one, or each topic of the plain wire. */
export function endpointsOf(context: StreamsInput): string[] {
  return context.settings.wire === 'tabcast' ? [context.settings.url] : context.interest.topics;
}

/** What one endpoint's connection must carry: every topic on the companion's wire, else its own. */
export function interestOf(context: StreamsInput, endpoint: string): Interest {
  if (context.settings.wire === 'tabcast') return context.interest;
  const wanted = context.interest.topics.includes(endpoint);
  return { topics: wanted ? [endpoint] : [], events: context.interest.events };
}

/** The connection's actor id: `connection`, or `connection <endpoint>` on the plain wire. */
export function connectionIdOf(settings: ConnectionSettings, endpoint: string): string {
  return settings.wire === 'tabcast' ? 'connection' : `connection ${endpoint}`;
}

export const streamsMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as StreamsContext,
    input: {} as StreamsInput,
    events: {} as StreamsEvent,
  },
  actors: { connection: connectionMachine },
  actions: {
    setHidden: assign((_, params: { hidden: boolean }) => params),
    /** A connection for each endpoint wanted for the first time. */
    startStreams: enqueueActions(({ context, enqueue }) => {
      const fresh = endpointsOf(context).filter((endpoint) => !context.started.includes(endpoint));
      if (fresh.length === 0) return;
      for (const endpoint of fresh) {
        enqueue.spawnChild('connection', {
          id: connectionIdOf(context.settings, endpoint),
          input: {
            ...context.settings,
            url: endpoint,
            scope: context.scope,
            clientId: context.clientId,
            epoch: context.epoch,
            interest: interestOf(context, endpoint),
            hidden: context.hidden,
          } satisfies ConnectionInput,
        });
      }
      enqueue.assign({ started: [...context.started, ...fresh] });
    }),
    setInterest: assign(({ event }) => {
      assertEvent(event, 'interest.changed');
      return { interest: event.interest };
    }),
    /** Each started connection hears what it must carry now (nothing: it goes idle). */
    forwardInterest: enqueueActions(({ context, enqueue }) => {
      for (const endpoint of context.started) {
        enqueue.sendTo(connectionIdOf(context.settings, endpoint), {
          type: 'interest.changed',
          interest: interestOf(context, endpoint),
        });
      }
    }),
    forwardToAll: enqueueActions(({ context, event, enqueue }) => {
      for (const endpoint of context.started) {
        enqueue.sendTo(connectionIdOf(context.settings, endpoint), event);
      }
    }),
  },
}).createMachine({
  id: 'streams',
  context: ({ input }) => ({ ...input, started: [] }),
  initial: 'running',
  states: {
    running: {
      entry: 'startStreams',
      on: {
        'interest.changed': { actions: ['setInterest', 'forwardInterest', 'startStreams'] },
        'connection.retry': { actions: 'forwardToAll' },
        'lifecycle.online': { actions: 'forwardToAll' },
        'auth.refreshed': { actions: 'forwardToAll' },
        'peer.hello': { actions: 'forwardToAll' },
        'clock.check': { actions: 'forwardToAll' },
        'lifecycle.visibility': {
          actions: [
            { type: 'setHidden', params: ({ event }) => ({ hidden: !event.visible }) },
            'forwardToAll',
          ],
        },
      },
    },
  },
});
