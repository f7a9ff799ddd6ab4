import type { IncomingMessage, ServerResponse } from 'node:http';
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

export function sendError(res: ServerResponse, { status, body, headers }: Rejection): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Reads method, topics, clientId and last event id; anything malformed becomes a rejection. */
export function readStreamRequest(
  req: IncomingMessage,
  rules: StreamRequestRules,
): StreamRequest | Rejection {
  if (req.method !== 'GET') {
    return { status: 405, body: { error: 'method_not_allowed' }, headers: { allow: 'GET' } };
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
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

  const header = req.headers['last-event-id'];
  const lastEventId =
    (typeof header === 'string' && header !== '' ? header : undefined) ??
    (url.searchParams.get(rules.lastEventIdParam) || undefined);
  return { topics: topicList.topics, clientId, lastEventId };
}

function invalidTopics(reason: string): Rejection {
  return { status: 400, body: { error: 'invalid_topics', reason } };
}
