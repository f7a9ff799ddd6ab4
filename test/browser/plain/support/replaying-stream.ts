/**
 * An event stream that many clients share and that keeps its history, so a client that comes
 * back names the last id it saw and is sent exactly what it missed: 0 lost, 0 duplicated. The
 * resume point is read from the `Last-Event-ID` header (what a native EventSource and a fetch
 * transport send) or else from a query parameter (what a client that cannot set headers can do).
 *
 * @example
 * const news = new ReplayingStream();
 * server.route('/stream/news', news.route);
 * news.publish({ event: 'tick', id: '1', data: 'hello' });
 */
import type { Exchange, Route } from './plain-server.js';

export interface StreamEvent {
  /** The `event:` field; none means `message`. */
  event?: string;
  /** The `id:` field; none means the client keeps its last one. */
  id?: string;
  data: string;
}

export interface ReplayingStreamOptions {
  /** The query parameter that may carry the resume point. @default 'lastEventId' */
  resumeParam?: string;
  /** `retry:` written at the start of each stream; null writes none. @default 100 */
  retryMs?: number | null;
}

/** One request to the stream, as the stream answered it. */
export interface StreamConnect {
  at: number;
  /** The resume point the client named, from either place. */
  resumeFrom: string | null;
  resumeVia: 'header' | 'query' | null;
  status: number;
  /** Events sent again from the history because the client missed them. */
  replayed: number;
}

/** Writes one event in the wire format: one `data:` line per line of data, then a blank line. */
export function frame({ event, id, data }: StreamEvent): string {
  let text = '';
  if (event !== undefined) text += `event: ${event}\n`;
  if (id !== undefined) text += `id: ${id}\n`;
  for (const line of data.split('\n')) text += `data: ${line}\n`;
  return `${text}\n`;
}

export class ReplayingStream {
  readonly history: StreamEvent[] = [];
  readonly connects: StreamConnect[] = [];
  private readonly open = new Set<Exchange>();
  private readonly answers: number[] = [];
  private finalAnswer: number | undefined;

  constructor(private readonly options: ReplayingStreamOptions = {}) {}

  /** The route to mount on a path of a `PlainServer`. */
  readonly route: Route = (exchange) => this.connect(exchange);

  /** Streams open now. */
  get openStreams(): number {
    return this.open.size;
  }

  /** Appends to the history and writes to every open stream. */
  publish(event: StreamEvent): void {
    this.history.push(event);
    const text = frame(event);
    for (const exchange of this.open) void exchange.write(text);
  }

  /** Ends every open stream normally: the client sees the end of the response and reconnects. */
  endStreams(): number {
    const ending = [...this.open];
    for (const exchange of ending) exchange.end();
    return ending.length;
  }

  /** Cuts every open stream, like a network drop. */
  dropStreams(): number {
    const dropping = [...this.open];
    for (const exchange of dropping) exchange.drop();
    return dropping.length;
  }

  /** The next connects (one per status) are answered with these statuses and no stream. */
  answerNext(...statuses: number[]): void {
    this.answers.push(...statuses);
  }

  /** Every connect from now on (after those of `answerNext`) is answered `status`, no stream. */
  answerFromNowOn(status: number): void {
    this.finalAnswer = status;
  }

  private connect(exchange: Exchange): void {
    const header = exchange.header('last-event-id');
    const param = exchange.url.searchParams.get(this.options.resumeParam ?? 'lastEventId');
    const resumeFrom = header ?? param;
    const connect: StreamConnect = {
      at: Date.now(),
      resumeFrom,
      resumeVia: header !== null ? 'header' : param !== null ? 'query' : null,
      status: 200,
      replayed: 0,
    };
    this.connects.push(connect);
    const answer = this.answers.shift() ?? this.finalAnswer;
    if (answer !== undefined) {
      connect.status = answer;
      exchange.send(answer, { 'content-type': 'text/plain' });
      return;
    }
    exchange.openStream();
    const retryMs = this.options.retryMs === undefined ? 100 : this.options.retryMs;
    let text = retryMs === null ? '' : `retry: ${retryMs}\n\n`;
    for (const event of this.missedSince(resumeFrom)) {
      text += frame(event);
      connect.replayed += 1;
    }
    if (text) void exchange.write(text);
    this.open.add(exchange);
    exchange.onClose(() => this.open.delete(exchange));
  }

  /** What came after the event with id `resumeFrom`; nothing when that id is unknown. */
  private missedSince(resumeFrom: string | null): StreamEvent[] {
    if (resumeFrom === null || resumeFrom === '') return [];
    for (let index = this.history.length - 1; index >= 0; index -= 1) {
      if (this.history[index]!.id === resumeFrom) return this.history.slice(index + 1);
    }
    return [];
  }
}
