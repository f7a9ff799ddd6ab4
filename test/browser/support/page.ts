/**
 * The test tab: one tabcast instance, configured from the query string, recording everything it
 * delivers. Bundled with `demo/bundle.ts` and served at `/` by the test server.
 *
 * `?user=ada` signs in as ada (the `user` cookie; a bearer token too with the fetch transport),
 * `?transport=fetch|eventsource`, `?topics=a,b` subscribes on load, `?events=tick,note` names the
 * SSE events each subscription listens to, `?app=` is the appKey.
 */
import { createTabcast } from '../../../src/index.js';
import type { PageHarness, PageRecord } from './page-api.js';

const params = new URLSearchParams(location.search);
const transport = params.get('transport') === 'fetch' ? 'fetch' : 'eventsource';
const appKey = params.get('app') ?? 'app';
const eventNames = (params.get('events') ?? 'tick').split(',').filter(Boolean);
const initialTopics = (params.get('topics') ?? 'news').split(',').filter(Boolean);
const initialUser = params.get('user');

const STREAM_PATH = '/events';

const record: PageRecord = { events: [], resyncs: [], statuses: [], connects: [], errors: [] };
let token: string | null = null;
let currentUser: string | null = null;

/** A fresh bearer token from the test server; false when it refuses (a failed refresh). */
async function fetchToken(user: string): Promise<boolean> {
  const response = await fetch(`/token?user=${encodeURIComponent(user)}`, { method: 'POST' });
  if (!response.ok) return false;
  token = ((await response.json()) as { token: string }).token;
  return true;
}

/** Notes a request to the stream endpoint as tabcast starts it (through its `platform`). */
function recordConnect(url: string): void {
  if (new URL(url, location.href).pathname !== STREAM_PATH) return;
  record.connects.push({ url, at: Date.now(), phase: tabcast.status.phase });
}

class RecordingEventSource extends EventSource {
  constructor(url: string | URL, init?: EventSourceInit) {
    recordConnect(String(url));
    super(url, init);
  }
}

const recordingFetch: typeof fetch = (input, init) => {
  recordConnect(input instanceof Request ? input.url : String(input));
  return fetch(input, init);
};

const tabcast = createTabcast({
  url: STREAM_PATH,
  appKey,
  transport,
  platform: { EventSource: RecordingEventSource, fetch: recordingFetch },
  ...(transport === 'fetch'
    ? {
        credentials: () => (token ? { authorization: `Bearer ${token}` } : undefined),
        refreshCredentials: () =>
          currentUser === null ? Promise.resolve(false) : fetchToken(currentUser),
      }
    : {}),
  // Small delays keep the suite fast; the server's `retry:` hint (fetch transport) is small too.
  backoff: { baseMs: 100, capMs: 1_000 },
  timing: {
    connectTimeoutMs: 5_000,
    stallTimeoutMs: 4_000,
    stableAfterMs: 1_000,
    topicsDebounceMs: 50,
    serverCloseJitterMs: 200,
    heartbeatIntervalMs: 250,
    leaderTimeoutMs: 1_500,
    watchdogIntervalMs: 250,
    electionWindowMs: 200,
  },
  onError: (error) => record.errors.push(`unhandled ${error.code}: ${error.message}`),
});

tabcast.onStatus((status) => record.statuses.push({ ...status, at: Date.now() }));

const subscriptions = new Map<string, () => void>();

function subscribe(topic: string): void {
  if (subscriptions.has(topic)) return;
  const handlers: Record<
    string,
    (data: unknown, meta: { id: string | null; topic: string; event: string }) => void
  > = {};
  for (const name of eventNames) {
    handlers[name] = (data, meta) =>
      record.events.push({
        topic: meta.topic,
        event: meta.event,
        id: meta.id,
        data,
        at: Date.now(),
      });
  }
  const stop = tabcast.subscribe(topic, handlers, {
    resync: () => record.resyncs.push({ topic, at: Date.now() }),
    error: (error) => record.errors.push(`${topic}: ${error.message}`),
  });
  subscriptions.set(topic, stop);
}

async function login(user: string): Promise<void> {
  currentUser = user;
  // biome-ignore lint/suspicious/noDocumentCookie: set synchronously, before login connects
  document.cookie = `user=${encodeURIComponent(user)}; path=/; SameSite=Strict`;
  if (transport === 'fetch') await fetchToken(user);
  tabcast.login({ userId: user });
}

const harness: PageHarness = {
  ready: false,
  record,
  subscribe,
  unsubscribe(topic) {
    subscriptions.get(topic)?.();
    subscriptions.delete(topic);
  },
  topics: () => [...subscriptions.keys()],
  login,
  logout() {
    const at = Date.now();
    tabcast.logout();
    return at;
  },
  retry: () => tabcast.retry(),
  status: () => tabcast.status,
  diagnostics: () => tabcast.diagnostics(),
};

window.addEventListener('error', (event) => record.errors.push(`page error: ${event.message}`));
window.addEventListener('unhandledrejection', (event) =>
  record.errors.push(`unhandled rejection: ${String(event.reason)}`),
);
window.tabcast = tabcast;
window.harness = harness;

for (const topic of initialTopics) subscribe(topic);
if (initialUser) await login(initialUser);
document.title = `tab of ${initialUser ?? 'nobody'}`;
harness.ready = true;
