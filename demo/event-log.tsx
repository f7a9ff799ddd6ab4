/** The demo page's live-event log: what it listens to, and how it shows what arrives. */
import { Component, type ReactNode, useRef, useState } from 'react';
import type { EventMeta } from '../src/index.js';
import { useTopic } from '../src/react/index.js';

/** What the demo server publishes: `tick` on `clock`, `message` on `chat`. */
export interface DemoEvents {
  tick: { time: string };
  message: { user: string; text: string };
}

const MAX_EVENTS_SHOWN = 50;

export interface EventLine {
  key: number;
  time: string;
  topic: string;
  label: string;
  text: string;
}

export type ShowEvent = (
  topic: string,
  text: string,
  meta: Pick<EventMeta, 'id' | 'event'>,
) => void;

/** The latest events, newest first, and how many arrived in all. */
export function useEventLog() {
  const [log, setLog] = useState({ lines: [] as EventLine[], count: 0 });
  const nextKey = useRef(0);
  const show: ShowEvent = (topic, text, meta) => {
    nextKey.current += 1;
    const line: EventLine = {
      key: nextKey.current,
      time: new Date().toLocaleTimeString(),
      topic,
      label: `${meta.event} #${meta.id ?? '-'}`,
      text,
    };
    setLog(({ lines, count }) => ({
      lines: [line, ...lines].slice(0, MAX_EVENTS_SHOWN),
      count: count + 1,
    }));
  };
  return { ...log, show };
}

/** Listens to one topic for as long as it is mounted, and shows what arrives. */
export function TopicFeed({ topic, show }: { topic: string; show: ShowEvent }) {
  useTopic<DemoEvents>(
    topic,
    {
      tick: (data, meta) => show(meta.topic, data.time, meta),
      message: (data, meta) => show(meta.topic, `${data.user}: ${data.text}`, meta),
    },
    {
      resync: () =>
        show(topic, '(resync: the stream cannot prove it missed nothing)', {
          id: null,
          event: 'resync',
        }),
      error: (error) => show(topic, `(unreadable event: ${error.message})`, error),
    },
  );
  return null;
}

/** `useTopic` throws (from its effect) for a topic tabcast refuses: report it and drop it. */
export class TopicGuard extends Component<
  { children: ReactNode; onRefused: (error: Error) => void },
  { refused: boolean }
> {
  override state = { refused: false };

  static getDerivedStateFromError() {
    return { refused: true };
  }

  override componentDidCatch(error: Error) {
    this.props.onRefused(error);
  }

  override render() {
    return this.state.refused ? null : this.props.children;
  }
}

/** The newest events first, with how many arrived in all. */
export function EventsPanel({ lines, count }: { lines: EventLine[]; count: number }) {
  return (
    <section className="card wide" aria-labelledby="events-title">
      <h2 id="events-title">
        Live events{' '}
        <span className="muted" id="event-count">
          {count > 0 ? `(${count} received)` : ''}
        </span>
      </h2>
      <ol id="events">
        {lines.map((line) => (
          <li key={line.key}>
            <span className="muted">{line.time}</span> <span className="topic">{line.topic}</span>{' '}
            <span className="muted">{line.label}</span> {line.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
