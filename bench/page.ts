/**
 * The bench tab: tabcast, or one of its baselines, chosen by `?bench=` (see `BenchMode`). Bundled
 * with `demo/bundle.ts` and served at `/` by the browser suite's test server.
 *
 * `?user=` names the user (the `user` cookie the test server signs requests in by), `?role=` picks
 * the raw relay's leader. Every page subscribes to the topic `news` and the event `tick`.
 */
import { createTabcast } from '../src/index.js';
import type { BenchMode, BenchPage, BenchRecord } from './page-api.js';

const TOPIC = 'news';
const EVENT = 'tick';

const params = new URLSearchParams(location.search);
const mode = (params.get('bench') ?? 'tabcast') as BenchMode;
const user = params.get('user') ?? 'bench';
const now = () => performance.timeOrigin + performance.now();
const clientId = `${mode}-${Math.random().toString(36).slice(2, 10)}`;

const record: BenchRecord = {
  deliveredIds: [],
  deliveredAt: [],
  arrivedIds: [],
  arrivedAt: [],
  connects: [],
  statuses: [],
  errors: [],
};

function deliver(id: string | null, data: string): void {
  // Every mode decodes the payload, as an application handler gets it decoded.
  JSON.parse(data);
  record.deliveredIds.push(id);
  record.deliveredAt.push(now());
}

function setStatus(
  phase: string,
  role: string,
  retry?: { retryAt: number | null; attempt: number },
) {
  record.statuses.push({ phase, role, at: now(), ...retry });
}

/** The page's EventSource, timestamping each event before any listener of the page sees it. */
class TimedEventSource extends EventSource {
  constructor(url: string | URL, init?: EventSourceInit) {
    super(url, init);
    record.connects.push({ url: String(url), at: now() });
    // Registered first, so it runs before the listeners of tabcast or the baseline.
    this.addEventListener(EVENT, (event) => {
      record.arrivedIds.push(event.lastEventId);
      record.arrivedAt.push(now());
    });
  }
}

const streamUrl = (lastEventId: string | null) =>
  `/events?topics=${TOPIC}&clientId=${clientId}` +
  (lastEventId === null ? '' : `&lastEventId=${encodeURIComponent(lastEventId)}`);

// biome-ignore lint/suspicious/noDocumentCookie: set synchronously, before anything connects
document.cookie = `user=${encodeURIComponent(user)}; path=/; SameSite=Strict`;

let role = 'none';
let phase = 'signedOut';
let logout: () => void = () => {};
let login: (user: string) => void = () => {};

switch (mode) {
  case 'tabcast': {
    const tabcast = createTabcast<{ [EVENT]: unknown }>({
      url: '/events',
      appKey: 'bench',
      platform: { EventSource: TimedEventSource },
      onError: (error) => record.errors.push(`${error.code}: ${error.message}`),
    });
    // Phase, role and the planned retry matter to the benchmarks; a change of error alone is
    // skipped.
    let retryAt: number | null = null;
    tabcast.onStatus((status) => {
      if (status.role === role && status.phase === phase && status.retryAt === retryAt) return;
      role = status.role;
      phase = status.phase;
      retryAt = status.retryAt;
      setStatus(status.phase, status.role, { retryAt, attempt: status.attempt });
    });
    tabcast.subscribe(TOPIC, {
      // The payload arrives decoded, as an application handler gets it.
      [EVENT]: (_data, meta) => {
        record.deliveredIds.push(meta.id);
        record.deliveredAt.push(now());
      },
    });
    login = (name) => tabcast.login({ userId: name });
    logout = () => tabcast.logout();
    login(user);
    break;
  }
  case 'perTab': {
    const source = new TimedEventSource(streamUrl(null));
    source.addEventListener(EVENT, (event) => deliver(event.lastEventId, event.data));
    source.onopen = () => {
      role = 'leader';
      phase = 'open';
      setStatus(phase, role);
    };
    break;
  }
  case 'floor': {
    let lastEventId: string | null = null;
    const channel = new BroadcastChannel(`floor:${user}`);
    channel.onmessage = (event: MessageEvent<{ id: string; data: string }>) => {
      lastEventId = event.data.id;
      deliver(event.data.id, event.data.data);
    };
    role = 'follower';
    phase = 'open';
    setStatus(phase, role);
    void navigator.locks.request(`floor:${user}`, () => {
      role = 'leader';
      setStatus(phase, role);
      const source = new TimedEventSource(streamUrl(lastEventId));
      source.addEventListener(EVENT, (event) => {
        lastEventId = event.lastEventId;
        channel.postMessage({ id: event.lastEventId, data: event.data });
        deliver(event.lastEventId, event.data);
      });
      // Held for the page's life: the browser releases it when the page goes.
      return new Promise<never>(() => {});
    });
    break;
  }
  case 'raw': {
    const channel = new BroadcastChannel(`raw:${user}`);
    if (params.get('role') === 'leader') {
      role = 'leader';
      const source = new TimedEventSource(streamUrl(null));
      source.addEventListener(EVENT, (event) => {
        channel.postMessage({ id: event.lastEventId, event: EVENT, data: event.data });
        deliver(event.lastEventId, event.data);
      });
    } else {
      role = 'follower';
      channel.onmessage = (event: MessageEvent<{ id: string; data: string }>) =>
        deliver(event.data.id, event.data.data);
    }
    phase = 'open';
    setStatus(phase, role);
    break;
  }
}

const bench: BenchPage = {
  mode,
  ready: true,
  record,
  role: () => role,
  phase: () => phase,
  login: (name) => login(name),
  logout() {
    const at = now();
    logout();
    return at;
  },
  clear() {
    for (const list of Object.values(record) as unknown[][]) list.length = 0;
  },
  lastDelivered: () => record.deliveredIds.at(-1) ?? null,
  deliveredCount: () => record.deliveredIds.length,
};

window.addEventListener('error', (event) => record.errors.push(`page error: ${event.message}`));
window.bench = bench;
