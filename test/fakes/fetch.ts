import { envelopeData, sseFrame } from './sse';
import type { TabContext } from './tab-context';

/** Statuses whose response has no body, so `Response` refuses one. */
const NULL_BODY_STATUSES = [204, 205, 304];

type CallState = 'pending' | 'streaming' | 'finished';

function urlOf(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

function lowerCasedHeaders(init: HeadersInit | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  new Headers(init).forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

/**
 * One request made through a fake tab's `fetch`, listed in `browser.fetches`; the test plays the
 * server with `respond()`, `write()`, `end()` and `fail()`. The response is a real `Response`
 * whose body is a `ReadableStream<Uint8Array>` fed by `write()`.
 *
 * Aborting the request's `signal` rejects the pending fetch, or errors the streaming body, with
 * the signal's reason (an `AbortError`), as real `fetch` does. A tab that goes away leaves its
 * fetch unsettled forever: its code never runs again.
 *
 * @example
 * const call = browser.fetches.at(-1)!;
 * call.respond(200);
 * call.write(sseFrame({ retry: 1000 }));
 * call.emitEnvelope('status-changed', 'results:42', { state: 'done' }, 7);
 * call.end();
 */
export class FakeFetchCall {
  /** The id of the tab that made the request. */
  readonly tabId: string;
  readonly url: string;
  readonly method: string;
  /** The request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;

  readonly #response: Promise<Response>;
  readonly #resolve: (response: Response) => void;
  readonly #reject: (reason: unknown) => void;
  #state: CallState = 'pending';
  #aborted = false;
  #status: number | undefined;
  #body: ReadableStreamDefaultController<Uint8Array> | undefined;

  private constructor(tab: TabContext, input: RequestInfo | URL, init: RequestInit = {}) {
    this.tabId = tab.id;
    this.url = urlOf(input);
    this.method = (init.method ?? 'GET').toUpperCase();
    this.headers = lowerCasedHeaders(init.headers);
    let settle!: { resolve: (response: Response) => void; reject: (reason: unknown) => void };
    this.#response = new Promise((resolve, reject) => {
      settle = { resolve, reject };
    });
    this.#resolve = settle.resolve;
    this.#reject = settle.reject;
    tab.whenGone(() => {
      this.#state = 'finished';
    });
    const signal = init.signal;
    if (signal?.aborted) this.#abort(signal.reason);
    else signal?.addEventListener('abort', () => this.#abort(signal.reason), { once: true });
  }

  /** The `fetch` of `tab`, recording every call in `calls`. */
  static fetchFor(tab: TabContext, calls: FakeFetchCall[]): typeof fetch {
    return (input: RequestInfo | URL, init?: RequestInit) => {
      const call = new FakeFetchCall(tab, input, init);
      calls.push(call);
      // A page that is gone never sees its fetch settle.
      return tab.alive ? call.#response : new Promise<Response>(() => {});
    };
  }

  /** True when the page aborted the request while it was pending or streaming. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** The status given to `respond()`, or undefined before. */
  get status(): number | undefined {
    return this.#status;
  }

  /** True while the request waits for a response or its body is streaming. */
  get active(): boolean {
    return this.#state !== 'finished';
  }

  /**
   * The server answers: the fetch resolves with a `Response` of `status` and `headers`. Its body
   * streams what `write()` sends until `end()`; a 204, 205 or 304 has no body.
   *
   * @param headers @default { 'content-type': 'text/event-stream' }
   */
  respond(
    status: number,
    headers: Record<string, string> = { 'content-type': 'text/event-stream' },
  ): void {
    this.#expectState('respond', 'pending');
    this.#status = status;
    const hasBody = !NULL_BODY_STATUSES.includes(status);
    const body = hasBody
      ? new ReadableStream<Uint8Array>({
          start: (controller) => {
            this.#body = controller;
          },
        })
      : null;
    this.#state = hasBody ? 'streaming' : 'finished';
    this.#resolve(new Response(body, { status, headers }));
  }

  /** Sends `text` as one UTF-8 chunk of the body. */
  write(text: string): void {
    this.#expectState('write', 'streaming');
    this.#body?.enqueue(new TextEncoder().encode(text));
  }

  /** Sends one application event with the `{ topic, data }` envelope of docs/wire.md. */
  emitEnvelope(eventName: string, topic: string, payload: unknown, id?: string | number): void {
    this.write(sseFrame({ id, event: eventName, data: envelopeData(topic, payload) }));
  }

  /** The server ends the response: the body closes. */
  end(): void {
    this.#expectState('end', 'streaming');
    this.#state = 'finished';
    this.#body?.close();
  }

  /**
   * The network fails: before `respond()` the fetch rejects, after it the body errors.
   *
   * @param error @default a `TypeError`, as browsers reject a failed fetch
   */
  fail(error: unknown = new TypeError('Failed to fetch')): void {
    if (this.#state === 'pending') this.#reject(error);
    else {
      this.#expectState('fail', 'streaming');
      this.#body?.error(error);
    }
    this.#state = 'finished';
  }

  #abort(reason: unknown): void {
    if (this.#state === 'finished') return;
    this.#aborted = true;
    if (this.#state === 'pending') this.#reject(reason);
    else this.#body?.error(reason);
    this.#state = 'finished';
  }

  #expectState(action: string, expected: CallState): void {
    if (this.#state === expected) return;
    const why = this.#aborted ? 'aborted by the page' : this.#state;
    throw new Error(`fetch ${this.url} of ${this.tabId}: cannot ${action}, the call is ${why}`);
  }
}
