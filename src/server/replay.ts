import { byteLength, eventFrame } from './sse';

/** A published event, kept with its ready-to-send frame. */
export interface LoggedEvent {
  readonly id: number;
  readonly topic: string;
  readonly eventName: string;
  readonly frame: string;
  /** The frame's UTF-8 length, computed once for every stream it goes to. */
  readonly bytes: number;
}

/** What a connecting stream must receive before live events, given its last event id. */
export type ResumePlan =
  /** No last id: a fresh subscriber. */
  | { kind: 'fresh' }
  /** Every event after `after` is still buffered: `events` (all topics) is exactly those. */
  | { kind: 'replay'; after: number; events: readonly LoggedEvent[] }
  /** Events after the id were dropped, or the id is unreadable: the client must resync. */
  | { kind: 'reset'; headId: number };

const EVENT_ID = /^\d{1,16}$/;

/** The number in a Last-Event-ID, or `undefined` when it is not one this server can have sent. */
export function parseEventId(text: string): number | undefined {
  if (!EVENT_ID.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

export function makeEvent(
  id: number,
  topic: string,
  eventName: string,
  envelope: string,
): LoggedEvent {
  const frame = eventFrame(id, eventName, envelope);
  return { id, topic, eventName, frame, bytes: byteLength(frame) };
}

/**
 * The newest `capacity` events of one sequence of ids, in a ring.
 *
 * The in-memory hub numbers its own events (`append`); a broker's hub records the entries of the
 * shared sequence as it reads them (`follows`, `record`, `skip`), where some ids are control
 * entries that are never sent. The buffer covers a resume from `id` exactly when nothing after
 * `id` was evicted: `id >= floor`, the newest id ever evicted (or the point the log started).
 *
 * Ids start at the creation time in microseconds, so after a restart (empty buffer) a client's id
 * from the previous process is older than the floor and gets a `reset` instead of being mistaken
 * for "up to date".
 */
export class EventLog {
  private readonly ring: (LoggedEvent | undefined)[];
  /** Ring index of the oldest buffered event. */
  private oldestIndex = 0;
  private size = 0;
  private head: number;
  private floor: number;

  constructor(
    private readonly capacity: number,
    initialId = Date.now() * 1000,
  ) {
    this.ring = new Array(capacity);
    this.head = initialId;
    this.floor = initialId;
  }

  /** The id of the newest entry (or the starting point, before any). */
  get headId(): number {
    return this.head;
  }

  /** The next event of this log's own sequence. */
  append(topic: string, eventName: string, envelope: string): LoggedEvent {
    return this.record(makeEvent(this.head + 1, topic, eventName, envelope));
  }

  /** Whether `id` is the next of the sequence: anything else means entries were missed. */
  follows(id: number): boolean {
    return id === this.head + 1;
  }

  /** Keeps `event`, the newest of the sequence. */
  record(event: LoggedEvent): LoggedEvent {
    this.head = event.id;
    if (this.capacity === 0) {
      this.floor = event.id;
      return event;
    }
    const slot = (this.oldestIndex + this.size) % this.capacity;
    if (this.size < this.capacity) {
      this.size += 1;
    } else {
      this.floor = this.ring[slot]!.id;
      this.oldestIndex = (this.oldestIndex + 1) % this.capacity;
    }
    this.ring[slot] = event;
    return event;
  }

  /** A control entry of the shared sequence: it takes an id, but is never replayed. */
  skip(id: number): void {
    this.head = id;
  }

  /** Forgets everything: the sequence goes on after `headId`, and nothing before it replays. */
  restart(headId: number): void {
    this.ring.fill(undefined);
    this.oldestIndex = 0;
    this.size = 0;
    this.head = headId;
    this.floor = headId;
  }

  resume(lastEventId: string | undefined): ResumePlan {
    if (lastEventId === undefined) return { kind: 'fresh' };
    const after = parseEventId(lastEventId);
    if (after === undefined) return { kind: 'reset', headId: this.head };
    if (after >= this.head) return { kind: 'replay', after, events: [] };
    if (after < this.floor) return { kind: 'reset', headId: this.head };
    const events: LoggedEvent[] = [];
    for (let offset = 0; offset < this.size; offset += 1) {
      const event = this.ring[(this.oldestIndex + offset) % this.capacity]!;
      if (event.id > after) events.push(event);
    }
    return { kind: 'replay', after, events };
  }
}
