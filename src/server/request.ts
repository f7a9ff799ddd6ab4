import type { IncomingMessage } from 'node:http';

/**
 * The request as the front door received it: a `node:http` request from `hub.handler`, a
 * web-standard `Request` from `hub.fetch`. `authorize` gets it as it is; `headerOf` reads a
 * header from either, so one `authorize` serves both doors.
 */
export type HubRequest = IncomingMessage | Request;

/**
 * A header of either kind of request, or `undefined` when absent. Repeated node headers are
 * joined with `, ` (as `Headers.get` does).
 * @example authorize: (req) => sessions.get(readCookie(headerOf(req, 'cookie'), 'sid')) ?? null
 */
export function headerOf(req: HubRequest, name: string): string | undefined {
  if (isWebRequest(req)) return req.headers.get(name) ?? undefined;
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function isWebRequest(req: HubRequest): req is Request {
  return typeof (req as Request).headers?.get === 'function';
}

/** What validation reads of a request, whichever door it came through. */
export interface RequestView {
  readonly method: string;
  /** Path and query; only the query is read. */
  readonly url: string;
  readonly lastEventIdHeader: string | undefined;
}

export function viewOf(req: HubRequest): RequestView {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    lastEventIdHeader: headerOf(req, 'last-event-id'),
  };
}
