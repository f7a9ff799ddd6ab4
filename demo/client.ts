/**
 * The demo page: one tabcast per tab, through the library's public entry only. Plain DOM.
 * `?user=NAME` signs in as NAME (default `demo`); the handle is `window.tabcast`.
 */
import { createTabcast, type EventMeta, type Tabcast, type TabcastStatus } from '../src/index.js';

interface DemoEvents {
  tick: { time: string };
  message: { user: string; text: string };
}

const MAX_EVENTS_SHOWN = 50;
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let currentUser: string | null = null;

const tabcast = createTabcast<DemoEvents>({
  url: '/events',
  appKey: 'demo',
  // Each tab may pick its own user, so the user travels in a header rather than a cookie.
  transport: 'fetch',
  credentials: () => (currentUser ? { 'x-demo-user': currentUser } : undefined),
  backoff: { capMs: 10_000 },
});
// For the console and the browser tests.
(window as unknown as { tabcast: Tabcast<DemoEvents> }).tabcast = tabcast;

// --- events ---------------------------------------------------------------------------------

let eventCount = 0;

function span(className: string, text: string): HTMLSpanElement {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

function showEvent(topic: string, text: string, meta: Pick<EventMeta, 'id' | 'event'>): void {
  eventCount += 1;
  const item = document.createElement('li');
  item.append(
    span('muted', new Date().toLocaleTimeString()),
    ' ',
    span('topic', topic),
    ' ',
    span('muted', `${meta.event} #${meta.id ?? '-'}`),
    ' ',
    text,
  );
  const list = byId<HTMLOListElement>('events');
  list.prepend(item);
  while (list.children.length > MAX_EVENTS_SHOWN) list.lastElementChild!.remove();
  byId('event-count').textContent = `(${eventCount} received)`;
}

const subscriptions = new Map<string, () => void>();

function subscribe(topic: string): void {
  if (subscriptions.has(topic)) return;
  const stop = tabcast.subscribe(
    topic,
    {
      tick: (data, meta) => showEvent(meta.topic, data.time, meta),
      message: (data, meta) => showEvent(meta.topic, `${data.user}: ${data.text}`, meta),
    },
    {
      resync: () =>
        showEvent(topic, '(resync: the stream cannot prove it missed nothing)', {
          id: null,
          event: 'resync',
        }),
      error: (error) => showEvent(topic, `(unreadable event: ${error.message})`, error),
    },
  );
  subscriptions.set(topic, stop);
  renderTopics();
}

function unsubscribe(topic: string): void {
  subscriptions.get(topic)?.();
  subscriptions.delete(topic);
  renderTopics();
}

function renderTopics(): void {
  const container = byId('topics');
  container.replaceChildren(
    ...[...subscriptions.keys()].map((topic) => {
      const chip = document.createElement('span');
      chip.className = 'chip';
      chip.textContent = topic;
      const remove = document.createElement('button');
      remove.textContent = '×';
      remove.title = `Unsubscribe from ${topic}`;
      remove.addEventListener('click', () => unsubscribe(topic));
      chip.append(remove);
      return chip;
    }),
  );
}

// --- status ---------------------------------------------------------------------------------

function renderStatus(status: TabcastStatus): void {
  const role = byId('role');
  role.textContent = status.role;
  role.className = `badge ${status.role}`;
  const phase = byId('phase');
  phase.textContent =
    status.phase === 'reconnecting' && status.retryAt
      ? `reconnecting in ${Math.max(0, Math.round((status.retryAt - Date.now()) / 1000))} s`
      : status.phase;
  phase.className = status.phase;
  byId('user').textContent = status.userId ?? '-';
  byId('epoch').textContent = String(status.epoch);
  byId('mode').textContent = status.mode ?? '-';
  byId('last-event-id').textContent = status.lastEventId ?? '-';
  byId('attempt').textContent = String(status.attempt);
  byId('error').textContent = status.error
    ? `${status.error.code}${status.error.status ? ` (${status.error.status})` : ''}`
    : '-';
  document.title = `${status.role === 'leader' ? '★ ' : ''}tabcast demo — ${status.phase}`;
}

tabcast.onStatus(renderStatus);
renderStatus(tabcast.status);

// --- server panel ---------------------------------------------------------------------------

const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([key, count]) => `${key}: ${count}`)
    .join(', ') || '-';

async function pollStats(): Promise<void> {
  try {
    const response = await fetch('/api/stats', { cache: 'no-store' });
    const stats = (await response.json()) as {
      openStreams: number;
      streamsByUser: Record<string, number>;
      streamsByTopic: Record<string, number>;
      connects: number;
    };
    byId('open-streams').textContent = String(stats.openStreams);
    byId('streams-by-user').textContent = describeCounts(stats.streamsByUser);
    byId('streams-by-topic').textContent = describeCounts(stats.streamsByTopic);
    byId('connects').textContent = String(stats.connects);
  } catch {
    byId('open-streams').textContent = 'server unreachable';
  }
}
setInterval(pollStats, 1_000);
void pollStats();

// --- controls -------------------------------------------------------------------------------

function login(user: string): void {
  currentUser = user;
  byId('whoami').textContent = `— tab of ${user}`;
  tabcast.login({ userId: user });
}

byId('login').addEventListener('click', () => {
  const user = byId<HTMLInputElement>('login-user').value.trim();
  if (user) login(user);
});
byId('logout').addEventListener('click', () => tabcast.logout());
byId('retry').addEventListener('click', () => tabcast.retry());
byId('subscribe').addEventListener('click', () => {
  const input = byId<HTMLInputElement>('topic');
  const topic = input.value.trim();
  if (!topic) return;
  try {
    subscribe(topic);
    input.value = '';
  } catch (error) {
    showEvent(topic, `(cannot subscribe: ${(error as Error).message})`, { id: null, event: '-' });
  }
});
byId('chat-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>('chat-text');
  const text = input.value.trim();
  if (!text || !currentUser) return;
  input.value = '';
  await fetch('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-demo-user': currentUser },
    body: JSON.stringify({ text }),
  });
});

// --- start ----------------------------------------------------------------------------------

const initialUser = new URLSearchParams(location.search).get('user') || 'demo';
byId<HTMLInputElement>('login-user').value = initialUser;
subscribe('clock');
subscribe('chat');
login(initialUser);
