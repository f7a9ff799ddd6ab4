import type { ServerResponse } from 'node:http';
import type { RequestView } from './request';
import { byteLength } from './sse';
import { parseTopicList, type TopicListRules } from './validate';

/** The error body of the wire contract: a code, maybe a reason, never anything secret. */
export interface ErrorBody {
  error: string;
  reason?: string;
}

export interface Rejection {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

/** What a valid stream request asks for, before authorization. */
export interface StreamRequest {
  topics: string[];
  clientId: string | undefined;
  lastEventId: string | undefined;
}

export interface StreamRequestRules extends TopicListRules {
  readonly lastEventIdParam: string;
}

/** Printable ASCII: a clientId only serves as a map key, but must not be a memory sink. */
const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;

function errorHeaders({ body, headers }: Rejection): [string, Record<string, string>] {
  const text = JSON.stringify(body);
  return [
    text,
    {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': String(byteLength(text)),
      ...headers,
    },
  ];
}

export function sendError(res: ServerResponse, rejection: Rejection): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const [text, headers] = errorHeaders(rejection);
  res.writeHead(rejection.status, headers);
  res.end(text);
}

/** The same answer as `sendError`, for the web-standard door. */
export function errorResponse(rejection: Rejection): Response {
  const [text, headers] = errorHeaders(rejection);
  return new Response(text, { status: rejection.status, headers });
}

/** Reads method, topics, clientId and last event id; anything malformed becomes a rejection. */
export function readStreamRequest(
  req: RequestView,
  rules: StreamRequestRules,
): StreamRequest | Rejection {
  if (req.method !== 'GET') {
    return { status: 405, body: { error: 'method_not_allowed' }, headers: { allow: 'GET' } };
  }
  let url: URL;
  try {
    url = new URL(req.url, 'http://localhost');
  } catch {
    return invalidTopics('the request URL cannot be parsed');
  }
  const topicList = parseTopicList(url.searchParams.get('topics'), rules);
  if ('problem' in topicList) return invalidTopics(topicList.problem);

  const clientId = url.searchParams.get('clientId') || undefined;
  if (clientId !== undefined && !CLIENT_ID.test(clientId)) {
    return {
      status: 400,
      body: {
        error: 'invalid_client_id',
        reason: 'clientId must be 1-128 printable ASCII characters',
      },
    };
  }

  const header = req.lastEventIdHeader;
  const lastEventId =
    (header !== undefined && header !== '' ? header : undefined) ??
    (url.searchParams.get(rules.lastEventIdParam) || undefined);
  return { topics: topicList.topics, clientId, lastEventId };
}

function invalidTopics(reason: string): Rejection {
  return { status: 400, body: { error: 'invalid_topics', reason } };
}
