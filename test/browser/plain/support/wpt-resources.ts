/**
 * The server side of the WPT `eventsource/` port, written anew as routes of a `PlainServer`
 * (WPT serves them from `eventsource/resources/*.py|php`). What each answers is described on its
 * route; state that WPT keeps in cookies is kept here in memory, keyed by an `id` parameter.
 */
import type { Exchange, PlainServer } from './plain-server.js';

const EVENT_STREAM = 'text/event-stream';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Answers a whole event-stream body with status 200 and the given type, then ends. */
function sendStream(exchange: Exchange, body: string, type = EVENT_STREAM): void {
  exchange.send(200, { 'content-type': type }, body);
}

/** Counts the requests per query string (an `id` makes it unique): how often a client came. */
function visits() {
  const seen = new Map<string, number>();
  return (exchange: Exchange): number => {
    const id = exchange.url.search;
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    return count;
  };
}

/** What the id-sequence route answers, by `?type=`. */
const ID_SEQUENCES: Record<string, string> = {
  persists: 'id: 1\ndata: 1\n\ndata:2\n\n',
  'changes-and-persists': 'id: 1\ndata: 1\n\nid: 2\ndata:2\n\ndata:3\n\n',
  resets: 'id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n',
};

/** Lines that exercise field parsing; held open afterwards, so nothing repeats. */
const FIELD_LINES =
  'data:msg\ndata: msg\n\n:\nfalsefield:msg\n\nfalsefield:msg\nData:data\n\ndata\n\ndata:end\n\n';

export function mountWptResources(server: PlainServer): void {
  const statusReconnectVisits = visits();
  const reconnectFailVisits = visits();

  server
    // `?message=` as is, then a blank line unless `?newline=none`, then one more LF; optional
    // `?mime=` and `?sleep=` (ms before answering).
    .route('/wpt/message', async (exchange) => {
      const query = exchange.url.searchParams;
      const sleepMs = Number(query.get('sleep') ?? 0);
      if (sleepMs > 0) await sleep(sleepMs);
      const message = query.get('message') ?? 'data: data';
      const newline = query.get('newline') === 'none' ? '' : '\n\n';
      sendStream(exchange, `${message}${newline}\n`, query.get('mime') ?? EVENT_STREAM);
    })
    // Field parsing: a fixed series of lines, then the stream stays open.
    .route('/wpt/field-lines', (exchange) => {
      exchange.openStream();
      void exchange.write(FIELD_LINES);
    })
    // First visit: an id (`?idvalue=`, default U+2026), retry 50 ms and `hello`. A client that
    // comes back with Last-Event-ID is sent that id as its data, with no id field. Ours: the id
    // may come as the `lastEventId` query parameter instead (a client that cannot send headers).
    .route('/wpt/last-event-id', (exchange) => {
      const lastEventId =
        exchange.header('last-event-id') ?? exchange.url.searchParams.get('lastEventId');
      if (lastEventId) {
        sendStream(exchange, `data: ${lastEventId}\n\n`);
        return;
      }
      const id = exchange.url.searchParams.get('idvalue') ?? '\u2026';
      sendStream(exchange, `id: ${id}\nretry: 50\ndata: hello\n\n`);
    })
    // Three events whose ids persist, change, or are reset by an empty `id:` (`?type=`).
    .route('/wpt/id-sequence', (exchange) => {
      const type = exchange.url.searchParams.get('type') ?? 'persists';
      sendStream(exchange, ID_SEQUENCES[type] ?? 'data: unknown sequence\n\n');
    })
    // First visit of an `?id=`: status `?status=` (default 204) with `retry: 2` and, with
    // `?ok_first`, an event `ok`; the next visit: 200 and `data`.
    .route('/wpt/status-reconnect', (exchange) => {
      const query = exchange.url.searchParams;
      if (statusReconnectVisits(exchange) > 1) {
        sendStream(exchange, 'data: data\n\n');
        return;
      }
      const body = `retry: 2\n${query.has('ok_first') ? 'data: ok\n\n' : ''}`;
      exchange.send(Number(query.get('status') ?? 204), { 'content-type': EVENT_STREAM }, body);
    })
    // Per `?id=`: `opened` (retry 2 ms), then `reconnected`, then 204: the client must stop.
    .route('/wpt/reconnect-fail', (exchange) => {
      const visit = reconnectFailVisits(exchange);
      if (visit === 1) sendStream(exchange, 'retry: 2\ndata: opened\n\n');
      else if (visit === 2) sendStream(exchange, 'data: reconnected\n\n');
      else exchange.send(204, { 'content-type': EVENT_STREAM });
    })
    // `?status=` with an event-stream type; an event in the body unless 204/205 (no body).
    .route('/wpt/status', (exchange) => {
      const status = Number(exchange.url.searchParams.get('status') ?? 404);
      const body = status === 204 || status === 205 ? '' : 'data: data\n\n';
      exchange.send(status, { 'content-type': EVENT_STREAM }, body);
    })
    // The request header `?name=` sent back as the data of one event.
    .route('/wpt/echo-header', (exchange) => {
      const name = exchange.url.searchParams.get('name') ?? 'accept';
      sendStream(exchange, `data: ${exchange.header(name) ?? '(none)'}\n\n`);
    })
    // A redirect with status `?status=` to `?location=`.
    .route('/wpt/redirect', (exchange) => {
      const query = exchange.url.searchParams;
      exchange.send(Number(query.get('status') ?? 302), {
        location: query.get('location') ?? '/wpt/message',
      });
    });
}
