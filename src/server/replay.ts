import { eventFrame } from './sse';

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

/**
 * Assigns event ids and keeps the newest `capacity` events in a ring.
 *
 * Ids are consecutive, so the buffer covers a resume exactly when it still holds the event right
 * after the requested id. They start at the creation time in microseconds, so after a restart
 * (empty buffer) a client's id from the previous process is older than the head and gets a
 * `reset` instead of being mistaken for "up to date".
 */
export class EventLog {
  private readonly ring: (LoggedEvent | undefined)[];
  /** Ring index of the oldest buffered event. */
  private oldestIndex = 0;
  private size = 0;
  private head: number;

  constructor(
    private readonly capacity: number,
    initialId = Date.now() * 1000,
  ) {
    this.ring = new Array(capacity);
    this.head = initialId;
  }

  /** The id of the newest event (or the starting point, before any). */
  get headId(): number {
    return this.head;
  }

  append(topic: string, eventName: string, envelope: string): LoggedEvent {
    this.head += 1;
    const frame = eventFrame(this.head, eventName, envelope);
    const event: LoggedEvent = {
      id: this.head,
      topic,
      eventName,
      frame,
      bytes: Buffer.byteLength(frame),
    };
    if (this.capacity > 0) {
      this.ring[(this.oldestIndex + this.size) % this.capacity] = event;
      if (this.size < this.capacity) this.size += 1;
      else this.oldestIndex = (this.oldestIndex + 1) % this.capacity;
    }
    return event;
  }

  resume(lastEventId: string | undefined): ResumePlan {
    if (lastEventId === undefined) return { kind: 'fresh' };
    const after = parseEventId(lastEventId);
    if (after === undefined) return { kind: 'reset', headId: this.head };
    if (after >= this.head) return { kind: 'replay', after, events: [] };
    const oldestId = this.head - this.size + 1;
    if (this.size === 0 || after + 1 < oldestId) return { kind: 'reset', headId: this.head };
    const events: LoggedEvent[] = [];
    for (let offset = after + 1 - oldestId; offset < this.size; offset += 1) {
      const event = this.ring[(this.oldestIndex + offset) % this.capacity];
      if (event !== undefined) events.push(event);
    }
    return { kind: 'replay', after, events };
  }
}
