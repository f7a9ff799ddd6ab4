/** The demo page's panels: this tab, the server, topics, chat. */
import { useSelector } from '@xstate/react';
import { type FormEvent, useEffect, useState } from 'react';
import { useTabcast, useTabcastStatus } from '../src/react/index.js';
import type { DemoEvents } from './event-log.js';
import { MAX_CHAT_LENGTH } from './limits.js';

const STATS_POLL_MS = 1_000;

// --- this tab -------------------------------------------------------------------------------

/** This tab's status, as `useTabcastStatus` reports it, and its session buttons. */
export function TabPanel({
  initialUser,
  onLogin,
}: {
  initialUser: string;
  onLogin: (user: string) => void;
}) {
  const tabcast = useTabcast<DemoEvents>();
  const status = useTabcastStatus();
  // The resume point moves with every event, so it is not part of the status: read it directly.
  const lastEventId = useSelector(tabcast.actor, () => tabcast.diagnostics().lastEventId);
  const [userInput, setUserInput] = useState(initialUser);

  useEffect(() => {
    document.title = `${status.role === 'leader' ? '★ ' : ''}tabcast demo — ${status.phase}`;
  }, [status.role, status.phase]);

  const phase =
    status.phase === 'reconnecting' && status.retryAt
      ? `reconnecting in ${Math.max(0, Math.round((status.retryAt - Date.now()) / 1000))} s`
      : status.phase;
  const error = status.error
    ? `${status.error.code}${status.error.status ? ` (${status.error.status})` : ''}`
    : '-';

  return (
    <section className="card" aria-labelledby="tab-title">
      <h2 id="tab-title">This tab</h2>
      <dl>
        <dt>role</dt>
        <dd>
          <span id="role" className={`badge ${status.role}`}>
            {status.role}
          </span>
        </dd>
        <dt>status</dt>
        <dd id="phase" className={status.phase}>
          {phase}
        </dd>
        <dt>user</dt>
        <dd id="user">{status.userId ?? '-'}</dd>
        <dt>epoch</dt>
        <dd id="epoch">{status.epoch}</dd>
        <dt>mode</dt>
        <dd id="mode">{status.mode ?? '-'}</dd>
        <dt>last event id</dt>
        <dd id="last-event-id">{lastEventId ?? '-'}</dd>
        <dt>attempt</dt>
        <dd id="attempt">{status.attempt}</dd>
        <dt>error</dt>
        <dd id="error">{error}</dd>
      </dl>
      <div className="row">
        <input
          id="login-user"
          aria-label="user"
          size={10}
          value={userInput}
          onChange={(event) => setUserInput(event.target.value)}
        />
        <button
          type="button"
          id="login"
          onClick={() => {
            const user = userInput.trim();
            if (user) onLogin(user);
          }}
        >
          Log in
        </button>
        <button type="button" id="logout" onClick={() => tabcast.logout()}>
          Log out
        </button>
        <button type="button" id="retry" onClick={() => tabcast.retry()}>
          Retry
        </button>
      </div>
    </section>
  );
}

// --- server ---------------------------------------------------------------------------------

interface ServerStats {
  openStreams: number;
  streamsByUser: Record<string, number>;
  streamsByTopic: Record<string, number>;
  connects: number;
}

const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([key, count]) => `${key}: ${count}`)
    .join(', ') || '-';

/** The server's `/api/stats`, polled; `reachable` is false while the last poll failed. */
function useServerStats() {
  const [stats, setStats] = useState<ServerStats | null>(null);
  const [reachable, setReachable] = useState(true);
  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const response = await fetch('/api/stats', { cache: 'no-store' });
        const next = (await response.json()) as ServerStats;
        if (!live) return;
        setStats(next);
        setReachable(true);
      } catch {
        if (live) setReachable(false);
      }
    };
    void poll();
    const timer = setInterval(poll, STATS_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return { stats, reachable };
}

/** What the server counts: streams open, by user and topic, and accepted in all. */
export function ServerPanel() {
  const { stats, reachable } = useServerStats();
  const openStreams = !reachable ? 'server unreachable' : stats ? String(stats.openStreams) : '-';
  return (
    <section className="card" aria-labelledby="server-title">
      <h2 id="server-title">Server</h2>
      <dl>
        <dt>open streams</dt>
        <dd id="open-streams">{openStreams}</dd>
        <dt>by user</dt>
        <dd id="streams-by-user">{stats ? describeCounts(stats.streamsByUser) : '-'}</dd>
        <dt>by topic</dt>
        <dd id="streams-by-topic">{stats ? describeCounts(stats.streamsByTopic) : '-'}</dd>
        <dt>streams accepted</dt>
        <dd id="connects">{stats ? String(stats.connects) : '-'}</dd>
      </dl>
      <p className="muted">Open this page in more tabs: they all share one stream.</p>
    </section>
  );
}

// --- topics and chat ------------------------------------------------------------------------

/** The topics the page listens to; each chip unsubscribes, the input subscribes. */
export function TopicsPanel({
  topics,
  onSubscribe,
  onUnsubscribe,
}: {
  topics: string[];
  onSubscribe: (topic: string) => void;
  onUnsubscribe: (topic: string) => void;
}) {
  const [topicInput, setTopicInput] = useState('');
  return (
    <section className="card" aria-labelledby="topics-title">
      <h2 id="topics-title">Topics</h2>
      <div id="topics" className="row">
        {topics.map((topic) => (
          <span key={topic} className="chip">
            {topic}
            <button
              type="button"
              title={`Unsubscribe from ${topic}`}
              onClick={() => onUnsubscribe(topic)}
            >
              ×
            </button>
          </span>
        ))}
      </div>
      <div className="row">
        <input
          id="topic"
          aria-label="topic"
          placeholder="topic, e.g. news"
          size={14}
          value={topicInput}
          onChange={(event) => setTopicInput(event.target.value)}
        />
        <button
          type="button"
          id="subscribe"
          onClick={() => {
            const topic = topicInput.trim();
            if (!topic) return;
            onSubscribe(topic);
            setTopicInput('');
          }}
        >
          Subscribe
        </button>
      </div>
    </section>
  );
}

/** Posts a chat message as this tab's user; the server publishes it on `chat`. */
export function ChatPanel({ user }: { user: string | null }) {
  const [text, setText] = useState('');
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const message = text.trim();
    if (!message || !user) return;
    setText('');
    await fetch('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-demo-user': user },
      body: JSON.stringify({ text: message }),
    });
  };
  return (
    <section className="card" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat</h2>
      <form id="chat-form" className="row" onSubmit={send}>
        <input
          id="chat-text"
          aria-label="message"
          placeholder="say something to every tab"
          maxLength={MAX_CHAT_LENGTH}
          style={{ flex: 1 }}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit">Send</button>
      </form>
    </section>
  );
}
