/**
 * The reconnect storm's server, in its own process so that answering a thousand connects does
 * not delay the clients' timers: the browser suite's `TestServer` (the real companion hub on
 * 127.0.0.1), driven over IPC by `scenarios/storm.ts`.
 *
 * Messages in: `{ type: 'restart', downMs }`, `{ type: 'stats' }`, `{ type: 'stop' }`.
 * Messages out: `{ type: 'ready', port }`, `{ type: 'restarted' }`, `{ type: 'stats', openStreams }`.
 */
import { HUB_DEFAULTS } from '../src/server/index.js';
import { TestServer } from '../test/browser/support/test-server.js';

export type StormServerRequest =
  | { type: 'restart'; downMs: number }
  | { type: 'stats' }
  | { type: 'stop' };

export type StormServerReply =
  | { type: 'ready'; port: number }
  | { type: 'restarted' }
  | { type: 'stats'; openStreams: number };

const send = (reply: StormServerReply) => process.send?.(reply);

const server = await TestServer.start({
  pageBundle: '',
  // No `retry:` hint: it is a floor with its own jitter for every strategy (with the default
  // 2000 every strategy came back over [2 s, 4 s], no jitter too), so each client's own policy
  // is what is compared.
  hub: { retryMs: null, heartbeatMs: HUB_DEFAULTS.heartbeatMs },
});

// The parent going away (a crash, Ctrl-C) must not leave this process listening.
process.on('disconnect', () => {
  void server.close().finally(() => process.exit(0));
});

process.on('message', (request: StormServerRequest) => {
  switch (request.type) {
    case 'restart':
      void server.restart({ downMs: request.downMs }).then(() => send({ type: 'restarted' }));
      break;
    case 'stats':
      send({ type: 'stats', openStreams: server.hub.stats().openStreams });
      break;
    case 'stop':
      void server.close().finally(() => process.exit(0));
      break;
  }
});

send({ type: 'ready', port: server.port });
