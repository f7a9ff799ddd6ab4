/**
 * A port of web-platform-tests' `eventsource/` folder to a same-origin page, run against every
 * variant of `support/implementations.ts` (native `EventSource`, `SharedEventSource` over both
 * transports). The server resources (`resources/*.py|php` in WPT) are rewritten as routes in
 * `support/wpt-resources.ts`. Each case names the WPT file whose assertions it ports; where our
 * assertion is stronger (the whole sequence of events instead of one of them), it says so by
 * listing the sequence.
 *
 * Ported: event-data, eventsource-close (2), eventsource-constructor-empty-url,
 * eventsource-constructor-stringify (4), eventsource-constructor-url-bogus (2), eventsource-eventtarget,
 * eventsource-onmessage, eventsource-onmessage-trusted, eventsource-onopen, eventsource-prototype,
 * eventsource-readyState (3), eventsource-reconnect (2), eventsource-request-cancellation,
 * eventsource-url, format-bom, format-bom-2, format-comments, format-data-before-final-empty-line,
 * format-field-data, format-field-event, format-field-event-empty, format-field-id,
 * format-field-id-2, format-field-id-3 (3), format-field-id-null, format-field-parsing,
 * format-field-retry, format-field-retry-bogus, format-field-retry-empty, format-field-unknown,
 * format-leading-space, format-mime-bogus, format-mime-trailing-semicolon,
 * format-mime-valid-bogus, format-newlines, format-null-character, format-utf-8, interfaces
 * (the members, not the IDL harness), request-accept, request-cache-control (same-origin half),
 * request-redirect (4, plus 308), request-status-error (7, plus 401 and 500).
 *
 * Changed on purpose: `retry:` values and the last-event-id resource's retry are smaller (the
 * suite stays fast; what is asserted is unchanged); the two retry cases assert a lower bound the
 * server measures (a reconnect no earlier than `retry:` said), never an upper one.
 * format-field-id-null follows today's spec (an `id` with U+0000 is ignored), not the older WPT
 * text that expected `lastEventId` to be "\0\0". Ours, beyond WPT: 401, 500 and 308, a URL that
 * Chromium does reject, no Last-Event-ID on the first request, a new source after a closed one on
 * the same URL, and the resume id as a query parameter (`lastEventIdParam`).
 *
 * Where Chromium 156 does not do what WPT asserts, the case asserts what Chromium does and says
 * "Chromium deviates" in its name: a charset other than UTF-8 fails the connection
 * (format-utf-8); spaces in a host are escaped, not rejected (eventsource-constructor-url-bogus);
 * window.stop() leaves the source running (eventsource-request-cancellation.any.js; the older
 * .htm version allows it).
 *
 * Where SharedEventSource is documented to differ (`WPT_SHARED_DEVIATIONS` in
 * `support/expectations.ts`), the variants concerned assert the documented alternative instead,
 * and the case says "documented deviation" in its name; the other variants run it as WPT has it.
 *
 * Not ported, and why:
 * - dedicated-worker/*, shared-worker/*: EventSource in workers; tabcast is a window API.
 * - eventsource-cross-origin, eventsource-cross-origin-preflight, request-credentials,
 *   eventsource-constructor-non-same-origin, the cross-origin half of request-cache-control
 *   (resources cors.py, cors-cookie.py, cors-unsafe-last-event-id.py): cross-origin; these suites
 *   are same-origin by design.
 * - eventsource-constructor-document-domain: document.domain.
 * - eventsource-bfcache: the back/forward cache.
 * - eventsource-onmessage-realm, eventsource-constructor-url-multi-window: other realms (iframes).
 * - eventsource-from-readable-stream(-fetch): `EventSource.fromReadableStream`, a new static API
 *   outside the interface SharedEventSource mirrors.
 * - interfaces.html's idlharness run: WebIDL machinery; its members are checked by hand instead.
 * - submissions/MOSQUITO/*: they need an external server and repeat request-accept,
 *   format-field-event and eventsource-onopen.
 */
import { describe, expect, it } from 'vitest';
import { sleep } from '../support/wait.js';
import { sharedDeviationOf, WPT_SHARED_DEVIATIONS } from './support/expectations.js';
import {
  SHARED_EVENTSOURCE_WITH_PARAM,
  VARIANTS,
  type Variant,
} from './support/implementations.js';
import type { OpenOptions, SourceEntry } from './support/page-api.js';
import type { PlainTab } from './support/plain-browser.js';
import type { LoggedRequest } from './support/plain-server.js';
import { usePlainSuite } from './support/plain-suite.js';
import { mountWptResources } from './support/wpt-resources.js';

const suite = usePlainSuite({ mount: mountWptResources });

/** The message resource's URL: `message` sent as is, then the resource's newlines. */
function message(text: string, options: { newline?: 'none'; mime?: string } = {}): string {
  const query = new URLSearchParams({ message: text });
  if (options.newline) query.set('newline', options.newline);
  if (options.mime) query.set('mime', options.mime);
  return `/wpt/message?${query}`;
}

const OPEN = { type: 'open', readyState: 1 };
const RECONNECTING = { type: 'error', readyState: 0 };
const FAILED = { type: 'error', readyState: 2, eventClass: 'Event' };
const data = (text: string, more: Partial<SourceEntry> = {}) => ({
  type: 'message',
  readyState: 1,
  data: text,
  ...more,
});

/** Messages of these data and lastEventId. */
const withIds = (...events: [string, string][]) =>
  events.map(([text, lastEventId]) => data(text, { lastEventId }));

/** OPEN and the first stream's events, then for each later stream RECONNECTING, OPEN, its events. */
function acrossReconnects(...streams: Partial<SourceEntry>[][]): Partial<SourceEntry>[] {
  return streams.flatMap((events, index) => [
    ...(index === 0 ? [OPEN] : [RECONNECTING, OPEN]),
    ...events,
  ]);
}

/** A case that opens one source, lets it close (itself, or by `closeWhen`), then compares. */
interface StreamCase {
  wpt: string;
  name: string;
  url: string;
  open?: OpenOptions;
  /** Every entry, in order, with the fields that matter: what Chromium does. */
  expected: Partial<SourceEntry>[];
  /** Where Chromium does not do what WPT asserts: how, and what WPT expects instead. */
  chromiumDeviates?: { how: string; wptExpects: Partial<SourceEntry>[] };
  /**
   * What the variants named by the case's `WPT_SHARED_DEVIATIONS` entry assert instead: their
   * entries (from `url` and `open`, where given, else the case's), and what the server saw.
   */
  deviated?: {
    url?: string;
    open?: OpenOptions;
    expected: Partial<SourceEntry>[];
    requests?: (requests: LoggedRequest[]) => void;
  };
}

const closeAtMessage = (count = 1): OpenOptions => ({ closeWhen: { type: 'message', count } });

/** The documented default for native EventSource: no `Last-Event-ID` on any connect. */
function sentNoLastEventId(requests: LoggedRequest[]): void {
  expect(requests.length).toBeGreaterThanOrEqual(2);
  expect(requests.map((request) => request.headers.lastEventId)).toEqual(requests.map(() => null));
}

/**
 * A 5xx is retried (the shared variants): against a server that answers `status` once, then 200
 * and an event, an `error` while CONNECTING, a second request, then `open` and the event.
 */
function retriedUntil200(status: number): NonNullable<StreamCase['deviated']> {
  return {
    url: `/wpt/status-reconnect?status=${status}`,
    open: closeAtMessage(),
    expected: [RECONNECTING, OPEN, data('data')],
    requests: (requests) => {
      expect(requests[0]?.status).toBe(status);
      expect(requests.length).toBeGreaterThanOrEqual(2);
    },
  };
}

const STREAM_CASES: StreamCase[] = [
  {
    wpt: 'format-bom',
    name: 'a leading BOM is skipped; a later one makes its line an unknown field',
    url: message('\uFEFFdata:1\n\n\uFEFFdata:2\n\ndata:3'),
    open: { closeWhen: { data: '3' } },
    expected: [OPEN, data('1'), data('3')],
  },
  {
    wpt: 'format-bom-2',
    name: 'only one BOM is skipped: the first line after two is an unknown field',
    url: message('\uFEFF\uFEFFdata:1\n\ndata:2\n\ndata:3'),
    open: { closeWhen: { data: '3' } },
    expected: [OPEN, data('2'), data('3')],
  },
  {
    wpt: 'format-comments',
    name: 'comments (with CR, LF, CRLF, NUL and long lines) are ignored',
    url: message(
      `data:1\r:\0\n:\r\ndata:2\n:${'x'.repeat(2048)}\rdata:3\n:data:fail\r:${'x'.repeat(2048)}\ndata:4\n`,
      { newline: 'none' },
    ),
    open: closeAtMessage(),
    expected: [OPEN, data('1\n2\n3\n4')],
  },
  {
    wpt: 'format-data-before-final-empty-line',
    name: 'an event without its final empty line is dropped, its id too',
    url: message('retry:50\ndata:test1\n\nid:test\ndata:test2', { newline: 'none' }),
    open: closeAtMessage(2),
    expected: acrossReconnects(withIds(['test1', '']), withIds(['test1', ''])),
  },
  {
    wpt: 'format-field-data',
    name: 'data fields: empty value, no colon, several lines',
    url: message('data:\n\ndata\ndata\n\ndata:test'),
    open: { closeWhen: { data: 'test' } },
    expected: [OPEN, data(''), data('\n'), data('test')],
  },
  {
    wpt: 'format-field-event',
    name: 'a named event reaches its listener, not onmessage',
    url: message('event:test\ndata:x\n\ndata:x'),
    open: { listen: ['test'], ...closeAtMessage() },
    expected: [OPEN, { type: 'test', data: 'x', eventClass: 'MessageEvent' }, data('x')],
  },
  {
    wpt: 'format-field-event-empty',
    name: 'an empty event field means message',
    url: message('event: \ndata:data'),
    open: closeAtMessage(),
    expected: [OPEN, data('data')],
  },
  {
    wpt: 'format-field-id',
    name: 'the id is sent back as Last-Event-ID on reconnect',
    url: '/wpt/last-event-id',
    open: closeAtMessage(2),
    expected: acrossReconnects(withIds(['hello', '\u2026']), withIds(['\u2026', '\u2026'])),
    deviated: {
      expected: acrossReconnects(withIds(['hello', '\u2026']), withIds(['hello', '\u2026'])),
      requests: sentNoLastEventId,
    },
  },
  {
    wpt: 'format-field-id-2',
    name: 'the last event id outlives two reconnects without an id field',
    url: '/wpt/last-event-id',
    open: closeAtMessage(3),
    expected: acrossReconnects(
      withIds(['hello', '\u2026']),
      withIds(['\u2026', '\u2026']),
      withIds(['\u2026', '\u2026']),
    ),
    deviated: {
      expected: acrossReconnects(...Array.from({ length: 3 }, () => withIds(['hello', '\u2026']))),
      requests: sentNoLastEventId,
    },
  },
  {
    wpt: 'format-field-id-3',
    name: 'lastEventId persists to the next event',
    url: '/wpt/id-sequence?type=persists',
    open: closeAtMessage(2),
    expected: [OPEN, ...withIds(['1', '1'], ['2', '1'])],
  },
  {
    wpt: 'format-field-id-3',
    name: 'lastEventId changes and persists',
    url: '/wpt/id-sequence?type=changes-and-persists',
    open: closeAtMessage(3),
    expected: [OPEN, ...withIds(['1', '1'], ['2', '2'], ['3', '2'])],
  },
  {
    wpt: 'format-field-id-3',
    name: 'an empty id field resets lastEventId',
    url: '/wpt/id-sequence?type=resets',
    open: closeAtMessage(3),
    expected: [OPEN, ...withIds(['1', '1'], ['2', ''], ['3', ''])],
  },
  {
    wpt: 'format-field-id-null',
    name: 'an id containing U+0000 is ignored, and not sent back',
    url: `/wpt/last-event-id?idvalue=${encodeURIComponent('\0\0')}`,
    open: closeAtMessage(2),
    expected: acrossReconnects(withIds(['hello', '']), withIds(['hello', ''])),
  },
  {
    wpt: 'format-field-parsing',
    name: 'field names are exact; one leading space is stripped; CR, LF, CRLF end lines',
    url: message(
      'data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n',
      { newline: 'none' },
    ),
    open: closeAtMessage(),
    expected: [OPEN, data('\0\n 2\n1\n3\n\n4')],
  },
  {
    wpt: 'format-field-retry-empty',
    name: 'a retry field without a value is ignored',
    url: message('retry\ndata:test'),
    open: closeAtMessage(),
    expected: [OPEN, data('test')],
  },
  {
    wpt: 'format-field-unknown',
    name: 'unknown fields and lines without a colon are ignored',
    url: message('data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test'),
    open: closeAtMessage(),
    expected: [OPEN, data('test\n\ntest')],
  },
  {
    wpt: 'format-leading-space',
    name: 'only a space after the colon is stripped, not a tab',
    url: message('data:\ttest\rdata: \ndata:test'),
    open: closeAtMessage(),
    expected: [OPEN, data('\ttest\n\ntest')],
  },
  {
    wpt: 'format-mime-bogus',
    name: 'a bogus MIME type fails the connection with a simple error event',
    url: message('data: data', { mime: 'x bogus' }),
    expected: [{ ...FAILED, bubbles: false, cancelable: false }],
  },
  {
    wpt: 'format-mime-trailing-semicolon',
    name: 'text/event-stream; is accepted',
    url: message('data: data', { mime: 'text/event-stream;' }),
    open: { closeWhen: { type: 'open' } },
    expected: [OPEN],
  },
  {
    wpt: 'format-mime-valid-bogus',
    name: 'a valid but wrong MIME type fails the connection',
    url: message('data: data', { mime: 'text/x-bogus' }),
    expected: [{ ...FAILED, bubbles: false, cancelable: false }],
  },
  {
    wpt: 'format-newlines',
    name: 'CRLF, LF and CR all end lines',
    url: message('data:test\r\ndata\ndata:test\r\n\r', { newline: 'none' }),
    open: closeAtMessage(),
    expected: [OPEN, data('test\n\ntest')],
  },
  {
    wpt: 'format-null-character',
    name: 'U+0000 in data is kept, and is no error',
    url: message('data:\0\n\n'),
    open: closeAtMessage(),
    expected: [OPEN, data('\0')],
  },
  {
    wpt: 'format-utf-8',
    name: 'the stream is UTF-8 whatever charset the type names',
    url: message('data:ok\u2026', { mime: 'text/event-stream;charset=windows-1252' }),
    open: closeAtMessage(),
    expected: [FAILED],
    chromiumDeviates: {
      how: 'a charset other than UTF-8 fails the connection',
      wptExpects: [OPEN, data('ok\u2026')],
    },
    deviated: { expected: [OPEN, data('ok\u2026')] },
  },
  {
    wpt: 'event-data',
    name: 'lines and data parsing',
    url: '/wpt/field-lines',
    open: { closeWhen: { data: 'end' } },
    expected: [OPEN, data('msg\nmsg'), data(''), data('end')],
  },
  {
    wpt: 'eventsource-onmessage',
    name: 'onmessage gets the data',
    url: '/wpt/message',
    open: closeAtMessage(),
    expected: [OPEN, data('data')],
  },
  {
    wpt: 'eventsource-eventtarget',
    name: "addEventListener('message') gets the data",
    url: '/wpt/message',
    open: { messageVia: 'listener', ...closeAtMessage() },
    expected: [OPEN, data('data')],
  },
  {
    wpt: 'eventsource-onopen',
    name: 'open is a simple event: not a MessageEvent, does not bubble, not cancelable',
    url: '/wpt/message',
    open: { closeWhen: { type: 'open' } },
    expected: [{ ...OPEN, eventClass: 'Event', bubbles: false, cancelable: false }],
  },
  {
    wpt: 'eventsource-onmessage-trusted',
    name: 'message events are trusted',
    url: '/wpt/message',
    open: closeAtMessage(),
    expected: [OPEN, data('data', { isTrusted: true, eventClass: 'MessageEvent' })],
    deviated: {
      expected: [
        { ...OPEN, isTrusted: false },
        data('data', { isTrusted: false, eventClass: 'MessageEvent' }),
      ],
    },
  },
  {
    wpt: 'eventsource-close',
    name: 'the server ends, the client reconnects, then a 204 closes it (test events)',
    url: '/wpt/reconnect-fail?id=close-events',
    expected: [...acrossReconnects([data('opened')], [data('reconnected')]), RECONNECTING, FAILED],
  },
  {
    wpt: 'eventsource-reconnect',
    name: 'a 200 without events is reconnected from (200)',
    url: '/wpt/status-reconnect?status=200&id=reconnect-200',
    open: closeAtMessage(),
    expected: acrossReconnects([], [data('data')]),
  },
  {
    wpt: 'eventsource-reconnect',
    name: 'test reconnection events',
    url: '/wpt/status-reconnect?status=200&ok_first&id=reconnect-events',
    open: closeAtMessage(2),
    expected: acrossReconnects([data('ok')], [data('data')]),
  },
  {
    wpt: 'request-accept',
    name: 'the request says Accept: text/event-stream',
    url: '/wpt/echo-header?name=accept',
    open: closeAtMessage(),
    expected: [OPEN, data('text/event-stream')],
  },
  ...[204, 205, 210, 299, 401, 404, 410, 500, 503].map(
    (status): StreamCase => ({
      wpt: 'request-status-error',
      name: `a ${status} fails the connection (${status})`,
      url: `/wpt/status?status=${status}`,
      expected: [FAILED],
      ...(status >= 500 ? { deviated: retriedUntil200(status) } : {}),
    }),
  ),
  ...[301, 302, 303, 307, 308].map(
    (status): StreamCase => ({
      wpt: 'request-redirect',
      name: `a ${status} to a stream is followed (${status})`,
      url: `/wpt/redirect?status=${status}&location=/wpt/message`,
      open: { closeWhen: { type: 'open' } },
      expected: [OPEN],
    }),
  ),
];

/** The cases `itFor` defined, and those it gave an alternative, to check the tables against. */
const definedCases = new Set<string>();
const casesWithAlternative = new Set<string>();

/**
 * Defines a case for `variant`: the WPT body; where the variant is documented to differ
 * (`WPT_SHARED_DEVIATIONS`), the asserted alternative instead, named with the difference.
 */
function itFor(
  variant: Variant,
  wpt: string,
  name: string,
  body: () => Promise<void>,
  instead?: () => Promise<void>,
): void {
  const title = `${wpt}: ${name}`;
  definedCases.add(title);
  if (instead) casesWithAlternative.add(title);
  const deviation = sharedDeviationOf(variant, title);
  if (deviation) {
    if (!instead)
      throw new Error(`${title}: a documented deviation needs its asserted alternative`);
    it(`${title} — documented deviation: ${deviation}`, instead);
  } else {
    it(title, body);
  }
}

let ownUrls = 0;

/**
 * Makes a URL unique per variant and per case, so server state and logs are its own, and each
 * case's source starts as on a fresh page, as every WPT test does (a tab's SharedEventSources
 * keep a resume point per URL: see the case on a new source after a closed one).
 */
function own(url: string, variant: Variant): string {
  ownUrls += 1;
  return `${url}${url.includes('?') ? '&' : '?'}variant=${variant.name}&case=${ownUrls}`;
}

/** The server's answers to one URL, first to last. */
function requestsFor(url: string) {
  return suite.server.requests.filter((request) => request.url === url);
}

/** The lower-bound check of the retry cases: the reconnect waited at least `retryMs`. */
async function expectReconnectAfter(tab: PlainTab, url: string, retryMs: number): Promise<void> {
  const entries = await tab.waitUntilClosed('retry');
  expect(entries).toMatchObject(acrossReconnects([data('x')], []));
  const [first, second] = requestsFor(url);
  expect(first?.closedAt).not.toBeNull();
  // The client starts its wait after the server ends the response, so the gap can only be
  // longer; 25 ms allow for the server logging the end a little after the client saw it.
  expect(
    second!.at - first!.closedAt!,
    'ms from the end of the stream to the reconnect',
  ).toBeGreaterThanOrEqual(retryMs - 25);
}

/**
 * Defines a stream case for `variant`: its source opens on the case's URL (made its own), then
 * its entries are compared, and for a deviation what the server saw.
 */
function defineStreamCase(variant: Variant, testCase: StreamCase): void {
  const name = testCase.chromiumDeviates
    ? `${testCase.name} (Chromium deviates: ${testCase.chromiumDeviates.how})`
    : testCase.name;
  const run = async (
    { url, open, expected }: Pick<StreamCase, 'url' | 'open' | 'expected'>,
    requests?: (seen: LoggedRequest[]) => void,
  ) => {
    const tab = await suite.tab(variant);
    const address = own(url, variant);
    await tab.open('source', address, open);
    const entries = await tab.waitUntilClosed('source');
    expect(entries).toMatchObject(expected);
    for (const entry of entries.filter((seen) => seen.type !== 'error')) {
      if (entry.eventClass === 'MessageEvent') expect(entry.origin).toBe(suite.server.origin);
    }
    requests?.(requestsFor(address));
  };
  const { deviated } = testCase;
  itFor(
    variant,
    testCase.wpt,
    name,
    () => run(testCase),
    deviated &&
      (() =>
        run(
          {
            url: deviated.url ?? testCase.url,
            open: deviated.open ?? testCase.open,
            expected: deviated.expected,
          },
          deviated.requests,
        )),
  );
}

/** A source on the last-event-id resource (id 7) until its second message: its URL, entries. */
async function twoStreamsWithId7(variant: Variant) {
  const tab = await suite.tab(variant);
  const url = own('/wpt/last-event-id?idvalue=7', variant);
  await tab.open('source', url, closeAtMessage(2));
  return { url, entries: await tab.waitUntilClosed('source') };
}

/**
 * The retry cases' alternative for the shared variants. Their default backoff has full jitter:
 * the first delay is random below its base, so there is no lower bound to measure. With no
 * jitter (`strategy: 'none'`, in a scope of its own) the delay is the base exactly: on fetch the
 * server's `retry:`, which replaces `baseMs` (machines/backoff.ts); on native EventSource, which
 * hides `retry:` from the page, our own `baseMs`.
 */
const NO_JITTER = { strategy: 'none', baseMs: 200, capMs: 2_000 };

/** A retry case: `fields` then an event; the reconnect must wait `retryMs` at least. */
function retryCase(variant: Variant, fields: string, retryMs: number) {
  const reconnect = async (init: Record<string, unknown>, waitsMs: number) => {
    const tab = await suite.tab(variant);
    const url = own(message(`${fields}\ndata:x`), variant);
    await tab.open('retry', url, { closeWhen: { type: 'open', count: 2 }, init });
    await expectReconnectAfter(tab, url, waitsMs);
  };
  const honoursRetry = variant.init.transport === 'fetch';
  return {
    body: () => reconnect({}, retryMs),
    instead: () =>
      reconnect(
        { appKey: `${variant.init.appKey}-no-jitter`, backoff: NO_JITTER },
        honoursRetry ? retryMs : NO_JITTER.baseMs,
      ),
  };
}

for (const variant of VARIANTS) {
  describe(`${variant.name}`, () => {
    describe('a stream, its events and its end', () => {
      for (const testCase of STREAM_CASES) defineStreamCase(variant, testCase);
    });

    describe('what the requests carry', () => {
      itFor(
        variant,
        'format-field-id',
        'no Last-Event-ID at first, the id after',
        async () => {
          const { url } = await twoStreamsWithId7(variant);
          expect(requestsFor(url).map((request) => request.headers.lastEventId)).toEqual([
            null,
            '7',
          ]);
        },
        async () => {
          const { url, entries } = await twoStreamsWithId7(variant);
          // The events still arrive: asked with no id, the server starts over.
          expect(entries).toMatchObject(
            acrossReconnects(withIds(['hello', '7']), withIds(['hello', '7'])),
          );
          sentNoLastEventId(requestsFor(url));
        },
      );

      itFor(
        variant,
        'format-field-id',
        'a new source after a closed one on the same URL starts afresh: no Last-Event-ID, no event dropped (ours)',
        async () => {
          const tab = await suite.tab(variant);
          // One URL for both: a server that numbers its events from 1 on every connect.
          const url = own('/wpt/id-sequence?type=persists', variant);
          await tab.open('first', url, closeAtMessage(2));
          await tab.waitUntilClosed('first');
          await tab.open('second', url, closeAtMessage(2));
          expect(await tab.waitUntilClosed('second')).toMatchObject([
            OPEN,
            ...withIds(['1', '1'], ['2', '1']),
          ]);
          expect(requestsFor(url).map((request) => request.headers.lastEventId)).toEqual([
            null,
            null,
          ]);
        },
      );

      itFor(variant, 'request-cache-control', 'Cache-Control: no-cache, twice alike', async () => {
        const tab = await suite.tab(variant);
        // One URL for both: the second must not come from a cache either.
        const url = own('/wpt/echo-header?name=cache-control', variant);
        for (const attempt of ['first', 'second']) {
          await tab.open(attempt, url, closeAtMessage());
          expect(await tab.waitUntilClosed(attempt)).toMatchObject([OPEN, data('no-cache')]);
        }
        expect(requestsFor(url)).toHaveLength(2);
      });

      // Octal would be 512 ms: the reconnect would come too early.
      const decimal = retryCase(variant, 'retry:01000', 1_000);
      itFor(
        variant,
        'format-field-retry',
        'retry: 01000 is read as decimal 1000 ms',
        decimal.body,
        decimal.instead,
      );

      // Taking `100x` as 100 ms would reconnect far sooner than 1500 ms.
      const bogus = retryCase(variant, 'retry:1500\nretry:100x', 1_500);
      itFor(
        variant,
        'format-field-retry-bogus',
        'a retry value with a non-digit is ignored',
        bogus.body,
        bogus.instead,
      );
    });

    describe('the constructor and the interface', () => {
      itFor(
        variant,
        'eventsource-readyState',
        'CONNECTING before the connection is made',
        async () => {
          const tab = await suite.tab(variant);
          const opened = await tab.open('source', own('/wpt/message', variant));
          expect(opened.readyState).toBe(0);
        },
      );

      itFor(variant, 'eventsource-readyState', 'OPEN when open is dispatched', async () => {
        const tab = await suite.tab(variant);
        await tab.open('source', own('/wpt/message', variant), { closeWhen: { type: 'open' } });
        expect(await tab.waitUntilClosed('source')).toMatchObject([OPEN]);
      });

      itFor(variant, 'eventsource-readyState', 'CLOSED as soon as close() returns', async () => {
        const tab = await suite.tab(variant);
        const url = own('/wpt/message', variant);
        const states = await tab.page.evaluate((address) => {
          const source = new window.plain.EventSource(address);
          const before = source.readyState;
          source.close();
          return [before, source.readyState];
        }, url);
        expect(states).toEqual([0, 2]);
      });

      itFor(variant, 'eventsource-close', 'close() in onopen: CLOSED, nothing after', async () => {
        const tab = await suite.tab(variant);
        await tab.open('source', own('/wpt/message', variant), { closeWhen: { type: 'open' } });
        await tab.waitUntilClosed('source');
        // Let a message or a reconnect happen, if close() failed to stop them.
        await sleep(200);
        expect(await tab.entries('source')).toMatchObject([OPEN]);
        expect(await tab.entries('source')).toHaveLength(1);
      });

      itFor(variant, 'eventsource-url', 'url is the absolute URL', async () => {
        const tab = await suite.tab(variant);
        const url = own('/wpt/message', variant);
        const opened = await tab.open('source', url);
        expect(opened.url).toBe(`${suite.server.origin}${url}`);
      });

      itFor(
        variant,
        'eventsource-constructor-empty-url',
        'an empty URL is the document',
        async () => {
          const tab = await suite.tab(variant);
          const [url, documentUrl] = await tab.page.evaluate(() => {
            const source = new window.plain.EventSource('');
            source.close();
            return [source.url, document.documentURI];
          });
          expect(url).toBe(documentUrl);
        },
      );

      /** What constructing a source for `url` throws, or its `url` when nothing is thrown. */
      const construct = (tab: PlainTab, url: string) =>
        tab.page.evaluate((address) => {
          try {
            const source = new window.plain.EventSource(address);
            source.close();
            return `no error, url ${source.url}`;
          } catch (error) {
            return error instanceof DOMException ? `DOMException ${error.name}` : String(error);
          }
        }, url);

      itFor(variant, 'eventsource-constructor-url-bogus', 'an invalid URL throws', async () => {
        const tab = await suite.tab(variant);
        // Chromium rejects this one (a port out of range); see the next case for WPT's URL.
        expect(await construct(tab, 'http://example.com:99999/')).toBe('DOMException SyntaxError');
      });

      itFor(
        variant,
        'eventsource-constructor-url-bogus',
        'spaces in the host (Chromium deviates: its URL parser escapes them, nothing is thrown)',
        async () => {
          const tab = await suite.tab(variant);
          // WPT expects a SyntaxError: the URL Standard forbids a space in a host.
          expect(await construct(tab, 'http://this is invalid/')).toBe(
            'no error, url http://this%20is%20invalid/',
          );
        },
      );

      itFor(variant, 'eventsource-constructor-stringify', 'an object is stringified', async () => {
        const tab = await suite.tab(variant);
        const types = await tab.page.evaluate(
          (address) =>
            new Promise<string[]>((resolve) => {
              const source = new window.plain.EventSource({
                toString: () => address,
              } as unknown as string);
              source.onopen = (event) => {
                source.close();
                resolve([event.type, event.constructor.name]);
              };
            }),
          own('/wpt/message', variant),
        );
        expect(types).toEqual(['open', 'Event']);
      });

      for (const [argument, ending] of [
        [1, '/1'],
        [null, '/null'],
        [undefined, '/undefined'],
      ] as const) {
        itFor(
          variant,
          'eventsource-constructor-stringify',
          `${argument} is stringified`,
          async () => {
            const tab = await suite.tab(variant);
            const url = await tab.page.evaluate((value) => {
              const source = new window.plain.EventSource(value as unknown as string);
              source.close();
              return source.url;
            }, argument);
            expect(url).toBe(`${suite.server.origin}${ending}`);
          },
        );
      }

      itFor(variant, 'eventsource-prototype', 'the prototype is shared by instances', async () => {
        const tab = await suite.tab(variant);
        const result = await tab.page.evaluate(
          (address) => {
            const prototype = window.plain.EventSource.prototype as unknown as Record<
              string,
              unknown
            >;
            prototype.returnsTrue = () => true;
            const source = new window.plain.EventSource(address) as unknown as {
              returnsTrue(): boolean;
              close(): void;
            };
            const answer = source.returnsTrue();
            source.close();
            delete prototype.returnsTrue;
            return answer;
          },
          own('/wpt/message', variant),
        );
        expect(result).toBe(true);
      });

      itFor(variant, 'interfaces', 'constants, attributes and EventTarget', async () => {
        const tab = await suite.tab(variant);
        const shape = await tab.page.evaluate(
          (address) => {
            const Constructor = window.plain.EventSource;
            const source = new Constructor(address);
            const credentialed = new Constructor(address, { withCredentials: true });
            const shape = {
              staticConstants: [Constructor.CONNECTING, Constructor.OPEN, Constructor.CLOSED],
              instanceConstants: [source.CONNECTING, source.OPEN, source.CLOSED],
              handlers: [source.onopen, source.onmessage, source.onerror],
              eventTarget: source instanceof EventTarget,
              withCredentials: [source.withCredentials, credentialed.withCredentials],
              methods: [typeof source.close, typeof source.addEventListener],
            };
            source.close();
            credentialed.close();
            return shape;
          },
          own('/wpt/message', variant),
        );
        expect(shape).toEqual({
          staticConstants: [0, 1, 2],
          instanceConstants: [0, 1, 2],
          handlers: [null, null, null],
          eventTarget: true,
          withCredentials: [false, true],
          methods: ['function', 'function'],
        });
      });
    });

    /** Opens a source and calls window.stop() at once, in a fresh tab; returns its entries. */
    const stopAtOnce = async (until: (seen: SourceEntry[]) => boolean, what: string) => {
      const profile = await suite.newProfile();
      const tab = await profile.openTab(variant);
      const url = own(message('retry:1000\ndata:abc\n\n'), variant).replace('?', '?sleep=300&');
      await tab.page.evaluate(
        ({ address, init }) => {
          window.plain.open('source', address, { init });
          window.stop();
        },
        { address: url, init: { ...variant.init } },
      );
      const entries = await tab.waitForEntries('source', what, until);
      return { entries, readyState: await tab.readyState('source') };
    };
    itFor(
      variant,
      'eventsource-request-cancellation',
      'window.stop() (Chromium deviates: the source is not stopped, it opens and delivers)',
      async () => {
        const { entries } = await stopAtOnce(
          (seen) => seen.some((entry) => entry.type === 'message' || entry.readyState === 2),
          'a message, or the error that fails the connection',
        );
        // eventsource-request-cancellation.any.js expects [FAILED] and nothing after; the older
        // .htm version also accepts a source that stays active, which is what Chromium does.
        expect(entries.slice(0, 2)).toMatchObject([OPEN, data('abc')]);
      },
      async () => {
        // It keeps running: opens, delivers, and reconnects once the server ends the stream.
        const { entries, readyState } = await stopAtOnce(
          (seen) => seen.length >= 4 || seen.some((entry) => entry.readyState === 2),
          'the reconnect after the stream ends, or the error that fails the connection',
        );
        expect(entries.slice(0, 4)).toMatchObject([OPEN, data('abc'), RECONNECTING, OPEN]);
        expect(readyState).not.toBe(2);
      },
    );
  });
}

describe(`${SHARED_EVENTSOURCE_WITH_PARAM.name}: the resume id as a query parameter (ours)`, () => {
  const variant = SHARED_EVENTSOURCE_WITH_PARAM;
  // The last-event-id resource takes the id from the parameter as from the header: WPT's cases
  // hold as they are.
  for (const testCase of STREAM_CASES.filter((candidate) =>
    candidate.url.startsWith('/wpt/last-event-id'),
  )) {
    defineStreamCase(variant, testCase);
  }

  it('format-field-id: no Last-Event-ID header; after the first stream, ?lastEventId=7', async () => {
    const { url, entries } = await twoStreamsWithId7(variant);
    expect(entries).toMatchObject(acrossReconnects(withIds(['hello', '7']), withIds(['7', '7'])));
    // The resumed connect names the id in the query, which is written anew: compare parameters.
    const ofCase = new URL(url, suite.server.origin).searchParams.get('case');
    const requests = suite.server
      .requestsTo('/wpt/last-event-id')
      .filter(
        (request) => new URL(request.url, suite.server.origin).searchParams.get('case') === ofCase,
      );
    expect(
      requests.map((request) => ({
        header: request.headers.lastEventId,
        param: new URL(request.url, suite.server.origin).searchParams.get('lastEventId'),
      })),
    ).toEqual([
      { header: null, param: null },
      { header: null, param: '7' },
    ]);
  });
});

describe('the expectation tables', () => {
  it('every deviation names a case of this file; every alternative, a deviation', () => {
    const named = Object.keys(WPT_SHARED_DEVIATIONS);
    expect(named.filter((wptCase) => !definedCases.has(wptCase))).toEqual([]);
    expect([...casesWithAlternative].filter((wptCase) => !WPT_SHARED_DEVIATIONS[wptCase])).toEqual(
      [],
    );
  });
});
