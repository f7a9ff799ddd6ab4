import type { EventSourceLike } from '../../src/platform';
import { FakeEventTarget } from './events';
import { envelopeData } from './sse';
import type { TabContext } from './tab-context';

/** How long a browser waits before it reconnects a dropped EventSource on its own. */
export const EVENT_SOURCE_RECONNECT_MS = 3000;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/** What a fake source dispatches: `open` and `error` events have only these fields. */
export interface FakeSourceEvent {
  readonly type: string;
  readonly target: FakeEventSource;
}

/** What `emit()` dispatches: the fields of a `MessageEvent` an SSE listener reads. */
export interface FakeSseEvent extends FakeSourceEvent {
  readonly data: string;
  readonly lastEventId: string;
  readonly origin: string;
}

/**
 * An `EventSource` of one fake tab whose server is the test. Create it through
 * `tab.platform.EventSource`; every instance is listed in `browser.eventSources`.
 *
 * The test plays the server and the network with `open()`, `emit()`, `drop()` and `fail()`.
 * These throw on a closed source, so a test cannot talk to a stream nobody listens to.
 *
 * @example
 * const source = browser.eventSources.at(-1)!;
 * source.open();
 * source.emitEnvelope('status-changed', 'results:42', { state: 'done' }, 7);
 */
export class FakeEventSource implements EventSourceLike {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSED = CLOSED;

  readonly url: string;
  readonly withCredentials: boolean;
  /** The id of the tab that created it. */
  readonly tabId: string;
  onopen: ((event: Event) => unknown) | null = null;
  onerror: ((event: Event) => unknown) | null = null;
  onmessage: ((event: MessageEvent) => unknown) | null = null;

  readonly #tab: TabContext;
  readonly #listeners = new FakeEventTarget<MessageEvent>();
  #readyState = CONNECTING;
  #closed = false;
  #lastEventId = '';
  #autoReconnects = 0;
  #reconnectTimer: number | undefined;

  constructor(tab: TabContext, url: string | URL, init?: { withCredentials?: boolean }) {
    this.url = String(url);
    this.withCredentials = init?.withCredentials ?? false;
    this.tabId = tab.id;
    this.#tab = tab;
  }

  /** 0 CONNECTING, 1 OPEN, 2 CLOSED. */
  get readyState(): number {
    return this.#readyState;
  }

  /** True once the page called `close()` (or its tab went away); `fail()` does not set it. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The last event id received: what the browser would send as `Last-Event-ID` on reconnect. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** How often the browser reconnected on its own because the page left it open after `drop()`. */
  get autoReconnects(): number {
    return this.#autoReconnects;
  }

  addEventListener(type: string, listener: (event: MessageEvent) => void): void {
    this.#listeners.addEventListener(type, listener);
  }

  removeEventListener(type: string, listener: (event: MessageEvent) => void): void {
    this.#listeners.removeEventListener(type, listener);
  }

  close(): void {
    this.#closed = true;
    this.#readyState = CLOSED;
    this.#tab.clock.clearTimeout(this.#reconnectTimer);
  }

  /** The server accepted the request: `readyState` → OPEN and an `open` event. */
  open(): void {
    this.#expectState('open', [CONNECTING]);
    this.#readyState = OPEN;
    this.#dispatch({ type: 'open', target: this });
  }

  /**
   * The server sends one event: listeners of `eventName` get it, and `onmessage` too when the
   * name is `message`. Like a browser, the event's `lastEventId` keeps the last id sent so far.
   */
  emit(eventName: string, data: string, options: { id?: string | number } = {}): void {
    this.#expectState('emit', [OPEN]);
    if (options.id !== undefined) this.#lastEventId = String(options.id);
    const event: FakeSseEvent = {
      type: eventName,
      data,
      lastEventId: this.#lastEventId,
      origin: new URL(this.url, 'http://localhost').origin,
      target: this,
    };
    this.#dispatch(event);
  }

  /** Emits an application event with the `{ topic, data }` envelope of docs/wire.md. */
  emitEnvelope(eventName: string, topic: string, payload: unknown, id?: string | number): void {
    this.emit(eventName, envelopeData(topic, payload), id === undefined ? {} : { id });
  }

  /**
   * The network drops: `readyState` → CONNECTING and an `error` event. If the page has not
   * closed the source {@link EVENT_SOURCE_RECONNECT_MS} later, the browser reconnects on its own:
   * `autoReconnects` grows and the source opens again. A test proves a prompt close with it.
   */
  drop(): void {
    this.#expectState('drop', [CONNECTING, OPEN]);
    this.#readyState = CONNECTING;
    this.#dispatch({ type: 'error', target: this });
    if (this.#readyState !== CONNECTING || this.#reconnectTimer !== undefined) return;
    this.#reconnectTimer = this.#tab.clock.setBrowserTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#readyState !== CONNECTING) return;
      this.#autoReconnects++;
      this.open();
    }, EVENT_SOURCE_RECONNECT_MS);
  }

  /**
   * A fatal failure, as on a non-200 response: `readyState` → CLOSED and an `error` event, with
   * no reconnect by the browser.
   */
  fail(): void {
    this.#expectState('fail', [CONNECTING, OPEN]);
    this.#readyState = CLOSED;
    this.#tab.clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#dispatch({ type: 'error', target: this });
  }

  #dispatch(event: FakeSourceEvent): void {
    const handler =
      event.type === 'open'
        ? this.onopen
        : event.type === 'error'
          ? this.onerror
          : event.type === 'message'
            ? this.onmessage
            : null;
    // Listeners are typed for the real thing; they get the fields tabcast reads.
    const dispatched = event as unknown as MessageEvent;
    handler?.call(this, dispatched);
    this.#listeners.dispatchEvent(dispatched);
  }

  #expectState(action: string, allowed: readonly number[]): void {
    if (allowed.includes(this.#readyState)) return;
    const state = ['CONNECTING', 'OPEN', 'CLOSED'][this.#readyState];
    const hint = this.#closed ? ' (closed by the page or its tab)' : '';
    throw new Error(
      `EventSource ${this.url} of ${this.tabId}: cannot ${action} when ${state}${hint}`,
    );
  }
}

/** The `EventSource` constructor of `tab`; its sources close when the tab goes away. */
export function eventSourceClassFor(
  tab: TabContext,
  created: FakeEventSource[],
): new (
  url: string | URL,
  init?: { withCredentials?: boolean },
) => FakeEventSource {
  return class extends FakeEventSource {
    constructor(url: string | URL, init?: { withCredentials?: boolean }) {
      super(tab, url, init);
      created.push(this);
      tab.whenGone(() => this.close());
    }
  };
}
