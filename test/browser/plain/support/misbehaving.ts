/**
 * Servers that answer an EventSource badly, as routes of a `PlainServer` under `/bad/`: an HTML
 * page with status 200, a 10 MB event, a line that never ends, bytes that never make an event,
 * headers and then silence, and bare 204/401/500 answers. Each route marks its request
 * `finished` once it has written all it ever will (a stream route then holds the response open),
 * so a test waits for that before it watches what the client does.
 */
import type { LoggedRequest, PlainServer } from './plain-server.js';

export type Misbehaviour =
  | 'html-page'
  | 'huge-event'
  | 'endless-line'
  | 'partial-event'
  | 'silent'
  | 'status-204'
  | 'status-401'
  | 'status-500';

export const MISBEHAVIOURS: readonly Misbehaviour[] = [
  'html-page',
  'huge-event',
  'endless-line',
  'partial-event',
  'silent',
  'status-204',
  'status-401',
  'status-500',
];

const MIB = 1024 * 1024;
/** The data of the large event. */
export const HUGE_EVENT_BYTES = 10 * MIB;
/** How much of the endless line is written before the server just holds the response. */
export const ENDLESS_LINE_BYTES = 16 * MIB;
const CHUNK = 'x'.repeat(64 * 1024);

export class MisbehavingRoutes {
  /** Requests whose route has written everything it will write. */
  readonly finished = new Set<LoggedRequest>();

  constructor(server: PlainServer) {
    server
      .route('/bad/html-page', (exchange) => {
        exchange.send(
          200,
          { 'content-type': 'text/html; charset=utf-8' },
          '<!doctype html><title>Sign in</title><p>Not an event stream.</p>',
        );
        this.finished.add(exchange.log);
      })
      .route('/bad/huge-event', async (exchange) => {
        exchange.openStream();
        await exchange.write('data: ');
        for (let written = 0; written < HUGE_EVENT_BYTES; written += CHUNK.length) {
          await exchange.write(CHUNK);
        }
        await exchange.write('\n\ndata: after\n\n');
        this.finished.add(exchange.log);
      })
      .route('/bad/endless-line', async (exchange) => {
        exchange.openStream();
        await exchange.write('data: ');
        for (let written = 0; written < ENDLESS_LINE_BYTES; written += CHUNK.length) {
          await exchange.write(CHUNK);
        }
        this.finished.add(exchange.log);
      })
      // Whole lines, but never the blank line that would dispatch them.
      .route('/bad/partial-event', async (exchange) => {
        exchange.openStream();
        await exchange.write('id: 7\nevent: tick\ndata: never finished\n');
        this.finished.add(exchange.log);
      })
      .route('/bad/silent', (exchange) => {
        exchange.openStream();
        this.finished.add(exchange.log);
      })
      .route('/bad/status', (exchange) => {
        const status = Number(exchange.url.searchParams.get('code') ?? 500);
        exchange.send(status, { 'content-type': 'text/plain' }, status === 204 ? '' : 'no stream');
        this.finished.add(exchange.log);
      });
  }

  /** The URL that misbehaves in this way. */
  static urlOf(misbehaviour: Misbehaviour): string {
    const status = /^status-(\d+)$/.exec(misbehaviour);
    return status ? `/bad/status?code=${status[1]}` : `/bad/${misbehaviour}`;
  }
}
