/**
 * A group of reconnect-storm clients, in its own process: a thousand clients in one event loop
 * would bunch their attempts behind each other, so `storm.ts` spreads them over a few of these.
 *
 * Each client is the real `connectionMachine` with the real fetch transport on Node's fetch and
 * the real `planRetry` (so `nextDelay`), provided exactly as `createTabcast` provides them; the
 * tab, session and leadership charts above it have no part in a reconnect and are left out.
 *
 * Messages in: `connect` (create the clients; answered `open` once all are), `watch` (start
 * timing attempts; answered `recovered` once all are open again), `disconnect`, `stop`.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { assign, createActor } from 'xstate';
import { BACKOFF_DEFAULTS, type JitterStrategy } from '../machines/backoff.js';
import { connectionMachine } from '../machines/connection.machine.js';
import type { ConnectionInput } from '../machines/connection.types.js';
import { planRetry } from '../machines/connection.utils.js';
import type { Platform } from '../src/platform.js';
import { fetchTransport } from '../src/transport/fetch.js';

export type StormClientsRequest =
  | { type: 'connect'; origin: string; strategy: JitterStrategy; first: number; count: number }
  | { type: 'watch'; limitMs: number }
  | { type: 'disconnect' }
  | { type: 'stop' };

export type StormClientsReply =
  | { type: 'ready' }
  | { type: 'open'; ok: boolean }
  | {
      type: 'recovered';
      ok: boolean;
      /** Epoch ms (sub-ms resolution) of every connect attempt since `watch`. */
      attempts: number[];
      /**
       * Each attempt's time after its own client saw the cut. One process cannot see a thousand
       * sockets close in the same instant as a thousand browsers would; aligned on that instant,
       * what is left is the policy, the timers and the transport.
       */
      sinceDrop: number[];
      /**
       * Each planned attempt's time after its own client saw the cut: when the backoff began
       * plus the delay the policy chose. The policy alone, before any event loop is late.
       */
      planned: number[];
      /** When each client saw the cut (epoch ms). */
      droppedAt: number[];
      /** When the last client of the group was open again. */
      at: number;
      loopDelayP99Ms: number;
    }
  | { type: 'disconnected' };

const send = (reply: StormClientsReply) => process.send?.(reply);
const wallNow = () => performance.timeOrigin + performance.now();

type Client = ReturnType<typeof createClient>;

let attempts: number[] = [];
let sinceDrop: number[] = [];
let planned: number[] = [];
let clients: Client[] = [];
/** Clients seen out of `open` since `watch` (only they can have come back), and when. */
let dropped = new Map<Client, number>();

/** One client: the connection chart of a leader, whose every connect attempt is timestamped. */
function createClient(origin: string, index: number, strategy: JitterStrategy) {
  const user = `storm-${index}`;
  const platform: Platform = {
    fetch: (input, init) => {
      const at = wallNow();
      attempts.push(at);
      const droppedAt = dropped.get(client);
      if (droppedAt !== undefined) sinceDrop.push(at - droppedAt);
      return fetch(input, init);
    },
    random: Math.random,
    now: Date.now,
  };
  const connection = connectionMachine.provide({
    actors: {
      // The test server signs a request in by its `user` cookie; Node's fetch may send one.
      transport: fetchTransport(platform, () => ({ cookie: `user=${user}` })),
    },
    actions: {
      scheduleRetry: assign(({ context }) => planRetry(context, platform.random, platform.now)),
    },
  });
  const input: ConnectionInput = {
    url: `${origin}/events`,
    scope: `storm:${user}`,
    wire: 'tabcast',
    transport: 'fetch',
    clientId: `client-${index}`,
    epoch: 1,
    interest: { topics: ['news'], events: ['tick'] },
    lastEventIdParam: 'lastEventId',
    withCredentials: false,
    sessionOn401: true,
    hidden: false,
    backoff: { ...BACKOFF_DEFAULTS, strategy },
  };
  const client = createActor(connection, { input });
  let planning = false;
  client.subscribe((snapshot) => {
    if (!snapshot.matches({ live: 'open' }) && !dropped.has(client)) dropped.set(client, wallNow());
    const droppedAt = dropped.get(client);
    const inBackoff = snapshot.matches('backoff');
    if (inBackoff && !planning && droppedAt !== undefined) {
      planned.push(wallNow() - droppedAt + snapshot.context.retryDelayMs);
    }
    planning = inBackoff;
  });
  return client.start();
}

const isOpen = (client: Client) => client.getSnapshot().matches({ live: 'open' });
const allOpen = () => clients.every(isOpen);
/** Every client dropped by the restart and open again. */
const allBack = () => dropped.size === clients.length && allOpen();

/** Polls `done` every `intervalMs`; false once `limitMs` passed. */
function when(done: () => boolean, limitMs: number, intervalMs: number): Promise<boolean> {
  const deadline = wallNow() + limitMs;
  return new Promise((resolve) => {
    const check = () => {
      if (done()) resolve(true);
      else if (wallNow() > deadline) resolve(false);
      else setTimeout(check, intervalMs);
    };
    check();
  });
}

process.on('message', async (request: StormClientsRequest) => {
  switch (request.type) {
    case 'connect': {
      for (let offset = 0; offset < request.count; offset++) {
        clients.push(createClient(request.origin, request.first + offset, request.strategy));
        // The first connects come in small batches: they are not the storm being measured.
        if (offset % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      send({ type: 'open', ok: await when(allOpen, 30_000, 20) });
      break;
    }
    case 'watch': {
      attempts = [];
      sinceDrop = [];
      planned = [];
      dropped = new Map();
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const ok = await when(allBack, request.limitMs, 5);
      const at = wallNow();
      loopDelay.disable();
      send({
        type: 'recovered',
        ok,
        attempts,
        sinceDrop,
        planned,
        droppedAt: [...dropped.values()],
        at,
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      });
      break;
    }
    case 'disconnect':
      for (const client of clients) client.stop();
      clients = [];
      send({ type: 'disconnected' });
      break;
    case 'stop':
      for (const client of clients) client.stop();
      process.exit(0);
  }
});

// The parent going away must not leave clients reconnecting.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
