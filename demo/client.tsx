/**
 * The demo page: one tabcast per tab, through the library's public entries only, rendered with
 * `tabcast/react`. `?user=NAME` signs in as NAME (default `demo`); `?inspect` opens the Stately
 * inspector; the handle is `window.tabcast`.
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createTabcast, type Tabcast } from '../src/index.js';
import { TabcastProvider, useTabcast } from '../src/react/index.js';
import { type DemoEvents, EventsPanel, TopicFeed, TopicGuard, useEventLog } from './event-log.js';
import { ChatPanel, ServerPanel, TabPanel, TopicsPanel } from './panels.js';

const params = new URLSearchParams(location.search);
const initialUser = params.get('user') || 'demo';

/** Who this tab signs in as; read by `credentials` on every connect. */
let currentUser: string | null = null;

// Only `?inspect` fetches the inspector: it is a chunk of its own, so the page stays light.
const inspector = params.has('inspect')
  ? (await import('@statelyai/inspect')).createBrowserInspector()
  : undefined;

// Created once, outside React: a component's initialiser may run twice and start two actors.
const tabcast = createTabcast<DemoEvents>({
  url: '/events',
  appKey: 'demo',
  // Each tab may pick its own user, so the user travels in a header rather than a cookie.
  transport: 'fetch',
  credentials: () => (currentUser ? { 'x-demo-user': currentUser } : undefined),
  backoff: { capMs: 10_000 },
  ...(inspector ? { inspect: inspector.inspect } : {}),
});
// For the console and the browser tests.
(window as unknown as { tabcast: Tabcast<DemoEvents> }).tabcast = tabcast;

/** The whole page; it owns who is signed in, the topics listened to, and the event log. */
function DemoPage() {
  const tabcast = useTabcast<DemoEvents>();
  const [user, setUser] = useState<string | null>(null);
  const [topics, setTopics] = useState(['clock', 'chat']);
  const events = useEventLog();

  const login = (name: string) => {
    currentUser = name;
    setUser(name);
    tabcast.login({ userId: name });
  };
  const unsubscribe = (topic: string) =>
    setTopics((list) => list.filter((listed) => listed !== topic));
  const subscribe = (topic: string) =>
    setTopics((list) => (list.includes(topic) ? list : [...list, topic]));

  // A parent's effects run after its children's: the first stream already asks for the topics.
  // Logging in again as the same user is a no-op, so StrictMode's second run changes nothing.
  useEffect(() => login(initialUser), []);

  return (
    <>
      <h1>
        tabcast demo <small id="whoami">{user ? `— tab of ${user}` : ''}</small>
      </h1>
      <div className="grid">
        <TabPanel initialUser={initialUser} onLogin={login} />
        <ServerPanel />
        <TopicsPanel topics={topics} onSubscribe={subscribe} onUnsubscribe={unsubscribe} />
        <ChatPanel user={user} />
        <EventsPanel lines={events.lines} count={events.count} />
      </div>
      {topics.map((topic) => (
        <TopicGuard
          key={topic}
          onRefused={(error) => {
            events.show(topic, `(cannot subscribe: ${error.message})`, { id: null, event: '-' });
            unsubscribe(topic);
          }}
        >
          <TopicFeed topic={topic} show={events.show} />
        </TopicGuard>
      ))}
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TabcastProvider tabcast={tabcast}>
      <DemoPage />
    </TabcastProvider>
  </StrictMode>,
);
