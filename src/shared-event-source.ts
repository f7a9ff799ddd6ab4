/**
 * `SharedEventSource`: the WHATWG `EventSource` interface over tabcast's plain wire. Every tab
 * that opens one for the same URL (and scope) shares one connection, held by the scope's leader;
 * `close()` stops only this instance, and the connection ends when no tab listens.
 */

import type { BackoffOptions } from '../machines/backoff.js';
import type { TransportKind } from '../machines/connection.types.js';
import type { ConnectionStatus } from '../machines/status.js';
import { createTabcast, type EventMeta, type Tabcast } from './create-tabcast.js';
import { TabcastError } from './errors.js';
import { endpointOf } from './names.js';
import type { Timing } from './options.js';
import type { Platform } from './platform.js';
import type { CredentialsProvider } from './transport/fetch.js';

/** What `EventSource` lacks, each optional; the rest of `EventSourceInit` as it is. */
export interface SharedEventSourceInit {
  /** Send cookies cross-origin, as `EventSource`'s own option. @default false */
  withCredentials?: boolean;
  /**
   * Who is listening: tabs share connections only within one user's scope, and a `logout()`
   * of that scope (from a `createTabcast({ wire: 'plain', appKey, … })` handle in any tab)
   * closes its sources. @default 'anonymous'
   */
  user?: string;
  /** Names the app; the scope is `appKey + ':' + user`. @default 'shared-event-source' */
  appKey?: string;
  /** `fetch` sends headers (`credentials`) and `Last-Event-ID` on every reconnect. @default 'eventsource' */
  transport?: TransportKind;
  /** Headers for each connect of the `fetch` transport. @default none */
  credentials?: CredentialsProvider;
  /** Reconnect policy (jittered, the server's `retry:` and `Retry-After` respected). @default `BACKOFF_DEFAULTS` */
  backoff?: Partial<BackoffOptions>;
  /** The query parameter that carries the resume id for native EventSource. @default null (none) */
  lastEventIdParam?: string | null;
  /** Delays of the charts. @default `TIMING_DEFAULTS` (stall detection off with native EventSource) */
  timing?: Partial<Timing>;
  /** The browser, or fakes (`tabcast/testing`). @default the page's */
  platform?: Partial<Platform>;
}

export const SHARED_EVENT_SOURCE_DEFAULTS = {
  user: 'anonymous',
  appKey: 'shared-event-source',
  withCredentials: false,
};

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/** Events the source itself fires; every other type is an SSE event name. */
const OWN_EVENTS = new Set(['open', 'error']);

/** This page's handles, one per scope, with the settings the scope's first source gave. */
const handles = new Map<string, { handle: Tabcast; settings: string }>();
const identities = new WeakMap<object, number>();
let identityCount = 0;

/** A key part for what cannot be compared by value (a function, the platform). */
function identityOf(value: object | undefined): number {
  if (value === undefined) return 0;
  const known = identities.get(value);
  if (known !== undefined) return known;
  identityCount += 1;
  identities.set(value, identityCount);
  return identityCount;
}

/**
 * The app key of a source's scope. Sources with and without `withCredentials` (part of the
 * `EventSource` interface, so a drop-in must take both) are two scopes, `app` and
 * `app~credentialed`: each connects its own way.
 */
function scopeAppKey(appKey: string, withCredentials: boolean): string {
  return withCredentials ? `${appKey}~credentialed` : appKey;
}

/**
 * The handle of the source's scope. Whichever tab leads connects for every source of the scope,
 * with its own settings, so sources of one scope must agree on tabcast's own options: one that
 * does not gets a clear error (give it another `appKey`) instead of a connection made the
 * other's way.
 */
function handleFor(init: SharedEventSourceInit, base: string): Tabcast {
  const { user, appKey, withCredentials } = { ...SHARED_EVENT_SOURCE_DEFAULTS, ...init };
  const scopeKey = scopeAppKey(appKey, withCredentials);
  const scope = JSON.stringify([scopeKey, user, identityOf(init.platform)]);
  const settings = JSON.stringify([
    init.transport,
    init.lastEventIdParam,
    init.backoff,
    init.timing,
    identityOf(init.credentials),
  ]);
  const known = handles.get(scope);
  if (known && known.settings !== settings) {
    throw new TabcastError(
      'invalid_option',
      `SharedEventSource: the sources of app '${appKey}' share one connection per URL, so they share their settings (transport, credentials, backoff…); give a source with other settings its own \`appKey\``,
    );
  }
  let handle = known?.handle;
  if (!handle) {
    handle = createTabcast({
      url: base,
      appKey: scopeKey,
      wire: 'plain',
      withCredentials,
      ...(init.transport ? { transport: init.transport } : {}),
      ...(init.credentials ? { credentials: init.credentials } : {}),
      ...(init.backoff ? { backoff: init.backoff } : {}),
      ...(init.lastEventIdParam !== undefined ? { lastEventIdParam: init.lastEventIdParam } : {}),
      ...(init.timing ? { timing: init.timing } : {}),
      ...(init.platform ? { platform: init.platform } : {}),
    });
    handles.set(scope, { handle, settings });
  }
  // A new source after a logout of the scope starts a new session of it.
  if (handle.status.phase === 'signedOut') handle.login({ userId: user });
  return handle;
}

/** The page's base URL, for a relative `url` (none off the browser). */
function pageBase(): string | undefined {
  const scope = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return scope.document?.baseURI ?? scope.location?.href;
}

type Handler = ((this: SharedEventSource, event: MessageEvent) => unknown) | null;
type OwnHandler = ((this: SharedEventSource, event: Event) => unknown) | null;
/** A listener as `EventSource` takes it: a function of the event, or an object with `handleEvent`. */
type Listener =
  | ((this: SharedEventSource, event: MessageEvent) => unknown)
  | EventListenerObject
  | null;

/**
 * A drop-in for `EventSource` whose connection is shared by every tab of the browser: swap the
 * constructor and a page works unchanged, with one connection per URL across all its tabs.
 * Unlike `EventSource`, a network error or a 5xx is retried with jittered backoff (and the
 * server's `retry:`), a stalled fetch stream is reconnected, and a connect that could not send
 * the resume id cannot prove it missed nothing.
 *
 * @example
 * const source = new SharedEventSource('/api/dashboard/events');
 * source.addEventListener('tile-updated', (event) => render(JSON.parse(event.data)));
 */
export class SharedEventSource extends EventTarget {
  /**
   * Signs `user` out of the app's sources in every tab: each of them closes (`error`, then
   * `CLOSED`), and a source made afterwards starts a new session.
   * @example
   * SharedEventSource.logout({ user: me.id });
   */
  static logout(init: Pick<SharedEventSourceInit, 'user' | 'appKey' | 'platform'> = {}): void {
    const { user, appKey } = { ...SHARED_EVENT_SOURCE_DEFAULTS, ...init };
    for (const withCredentials of [false, true]) {
      const scope = JSON.stringify([
        scopeAppKey(appKey, withCredentials),
        user,
        identityOf(init.platform),
      ]);
      const known = handles.get(scope)?.handle;
      if (known) {
        known.logout();
        continue;
      }
      // No source of the scope in this tab: a passing handle tells the tabs that have some.
      const passing = createTabcast({
        url: '/',
        appKey: scopeAppKey(appKey, withCredentials),
        wire: 'plain',
        ...(init.platform ? { platform: init.platform } : {}),
      });
      passing.login({ userId: user });
      passing.logout();
      passing.dispose();
    }
  }

  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSED = CLOSED;

  readonly url: string;
  readonly withCredentials: boolean;
  onopen: OwnHandler = null;
  onmessage: Handler = null;
  onerror: OwnHandler = null;

  readonly #handle: Tabcast;
  /** The endpoint as the handle names it (no fragment): the stream's name in the scope. */
  readonly #endpoint: string;
  readonly #origin: string;
  readonly #names = new Set(['message']);
  readonly #stopStatus: () => void;
  #readyState = CONNECTING;
  #stopListening: () => void = () => {};
  #lastEventId = '';
  /** The stream's status last seen, to tell an open, a lost connection and a failed attempt. */
  #seen: ConnectionStatus | undefined;

  constructor(url: string | URL, init: SharedEventSourceInit = {}) {
    super();
    let resolved: URL;
    try {
      resolved = new URL(String(url), pageBase());
    } catch {
      throw new DOMException(`SharedEventSource: '${String(url)}' is not a URL`, 'SyntaxError');
    }
    this.url = resolved.href;
    this.#origin = resolved.origin;
    this.withCredentials = init.withCredentials ?? SHARED_EVENT_SOURCE_DEFAULTS.withCredentials;
    this.#handle = handleFor(init, this.url);
    this.#endpoint = endpointOf(this.url, this.url);
    super.addEventListener('open', (event) => this.onopen?.call(this, event));
    super.addEventListener('message', (event) => this.onmessage?.call(this, event as MessageEvent));
    super.addEventListener('error', (event) => this.onerror?.call(this, event));
    this.#listen();
    this.#stopStatus = this.#handle.onStatus(() => this.#follow());
    // An open stream (another tab's source) opens this one too, once the constructor returned.
    queueMicrotask(() => this.#follow());
  }

  get readyState(): number {
    return this.#readyState;
  }

  override addEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: (this: SharedEventSource, event: EventSourceEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener:
      | ((this: SharedEventSource, event: MessageEvent) => unknown)
      | EventListenerObject
      | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: Listener,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
    if (listener && !OWN_EVENTS.has(type) && !this.#names.has(type)) {
      this.#names.add(type);
      if (this.#readyState !== CLOSED) this.#listen();
    }
  }

  override removeEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: (this: SharedEventSource, event: EventSourceEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener:
      | ((this: SharedEventSource, event: MessageEvent) => unknown)
      | EventListenerObject
      | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: Listener,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  /** Stops this source: no more events, and the connection ends once no tab listens. */
  close(): void {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSED;
    this.#stopListening();
    this.#stopStatus();
  }

  /** (Re)subscribes with every name listened to; the new subscription starts before the old ends. */
  #listen(): void {
    const handlers: Record<string, (data: unknown, meta: EventMeta) => void> = {};
    for (const name of this.#names) handlers[name] = (data, meta) => this.#dispatch(data, meta);
    const previous = this.#stopListening;
    this.#stopListening = this.#handle.subscribe(this.#endpoint, handlers);
    previous();
  }

  #dispatch(data: unknown, meta: EventMeta): void {
    if (this.#readyState === CLOSED) return;
    if (meta.id !== null) this.#lastEventId = meta.id;
    this.dispatchEvent(
      new MessageEvent(meta.event, {
        data,
        lastEventId: this.#lastEventId,
        origin: this.#origin,
      }),
    );
  }

  /** Moves `readyState` as `EventSource` would, from the shared stream's status. */
  #follow(): void {
    if (this.#readyState === CLOSED) return;
    const { phase: scopePhase, streams } = this.#handle.status;
    const status = streams[this.#endpoint];
    const previous = this.#seen;
    this.#seen = status;
    if (scopePhase === 'signedOut' || status?.phase === 'failed' || status?.phase === 'closed') {
      this.close();
      this.dispatchEvent(new Event('error'));
      return;
    }
    if (status?.phase === 'open') {
      if (this.#readyState === OPEN) return;
      this.#readyState = OPEN;
      this.dispatchEvent(new Event('open'));
      return;
    }
    // A failed attempt this source saw happen; one it joined in the middle of is no news.
    const failedAgain =
      previous !== undefined &&
      status?.phase === 'reconnecting' &&
      status.attempt !== previous.attempt;
    if (this.#readyState === OPEN || failedAgain) {
      this.#readyState = CONNECTING;
      this.dispatchEvent(new Event('error'));
    }
  }
}
