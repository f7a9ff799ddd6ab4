import type { FakeEventSource } from '../fakes/index.js';

/** The only SSE event name the simulation publishes; every subscription listens to it. */
export const EVENT_NAME = 'tick';

const OPEN = 1;
const CLOSED = 2;

/** One event the simulated server published. */
export interface PublishedEvent {
  /** Server-wide and strictly increasing, as the companion's ids are (docs/wire.md). */
  readonly id: number;
  readonly user: string;
  readonly topic: string;
}

/** The payload of every published event, so a receiving tab can prove whose event it got. */
export interface SimPayload {
  user: string;
  topic: string;
  id: number;
}

/** One EventSource request, with the user the server authenticated it as. */
export interface SimStream {
  readonly source: FakeEventSource;
  readonly user: string;
  readonly topics: readonly string[];
  /** The `lastEventId` query parameter the request carried, or null. */
  readonly lastEventIdParam: string | null;
}

/**
 * The companion server, played by the test over the fake EventSources: a log of every published
 * event, live delivery to the open streams of the event's user whose `topics` include it, and on
 * accepting a stream a replay of every logged event after its resume id, for its topics only —
 * what `tabcast/server` does (docs/server.md, "Replay"). The real hub decides replay at the moment
 * it accepts a request, so the simulation does it in `accept()`, the moment it opens a source.
 */
export class SimServer {
  readonly log: PublishedEvent[] = [];
  readonly #streams: SimStream[] = [];
  #head = 0;

  /** The newest id published so far (0 before any). */
  get head(): number {
    return this.#head;
  }

  /** Records a new request and the user its credentials name (the cookie a real server reads). */
  register(source: FakeEventSource, user: string): SimStream {
    const url = new URL(source.url);
    const stream: SimStream = {
      source,
      user,
      topics: (url.searchParams.get('topics') ?? '').split(',').filter(Boolean),
      lastEventIdParam: url.searchParams.get('lastEventId'),
    };
    this.#streams.push(stream);
    return stream;
  }

  /** Streams the browser still holds: not CLOSED (a dropped one awaiting reconnect counts). */
  live(): SimStream[] {
    return this.#streams.filter((stream) => stream.source.readyState !== CLOSED);
  }

  /** Requests the server has not answered yet. */
  pending(): SimStream[] {
    return this.live().filter((stream) => stream.source.readyState !== OPEN);
  }

  /** Appends an event to the log and sends it to every open stream of `user` carrying `topic`. */
  publish(user: string, topic: string): { event: PublishedEvent; streams: number } {
    this.#head += 1;
    const event: PublishedEvent = { id: this.#head, user, topic };
    this.log.push(event);
    let streams = 0;
    for (const stream of this.live()) {
      if (stream.user !== user || !stream.topics.includes(topic)) continue;
      if (stream.source.readyState !== OPEN) continue;
      this.#send(stream, event);
      streams++;
    }
    return { event, streams };
  }

  /**
   * Answers a pending request: opens it, then replays every logged event of its user and topics
   * after the resume id — the `Last-Event-ID` header of the browser's own reconnect when there is
   * one, else the query parameter. Without either the stream starts fresh, with no replay.
   * Returns how many events were replayed; throws on a resume id this server never issued.
   */
  accept(stream: SimStream): number {
    const header = stream.source.lastEventId;
    const resumeFrom = header !== '' ? header : stream.lastEventIdParam;
    stream.source.open();
    if (resumeFrom === null) return 0;
    const after = Number(resumeFrom);
    if (!Number.isSafeInteger(after)) {
      throw new Error(`stream of ${stream.source.tabId} resumes from a foreign id '${resumeFrom}'`);
    }
    let replayed = 0;
    for (const event of this.log) {
      if (event.user !== stream.user || event.id <= after || !stream.topics.includes(event.topic)) {
        continue;
      }
      // A handler may close the source mid-replay (a user switch); the rest goes nowhere.
      if (stream.source.readyState !== OPEN) break;
      this.#send(stream, event);
      replayed++;
    }
    return replayed;
  }

  #send(stream: SimStream, event: PublishedEvent): void {
    const payload: SimPayload = { user: event.user, topic: event.topic, id: event.id };
    stream.source.emitEnvelope(EVENT_NAME, event.topic, payload, event.id);
  }
}
