/**
 * The streaming half of the fetch transport, with its SSE parser: loaded the first time a page
 * connects with `transport: 'fetch'`, so a page on native EventSource never downloads it.
 */
import { createParser } from 'eventsource-parser';
import type { TransportInput } from '../../machines/connection.types.js';
import type { Platform } from '../platform.js';
import type { CredentialsProvider } from './fetch.js';
import { isEventStream, type MessageBatcher, parseRetryAfter, readSseMessage } from './shared.js';

/**
 * An event or a line longer than this is an attack or a bug: the stream is dropped (and tried
 * again with backoff), so a tab never holds more than this much of one event (~8 MB as a string).
 */
const MAX_BUFFERED_CHARS = 4 * 1024 * 1024;

export const isOversized = (error: unknown) =>
  (error as { type?: unknown } | null)?.type === 'max-buffer-size-exceeded';

/**
 * `value` as a header value: its UTF-8 bytes, one character each, as `EventSource` sends
 * Last-Event-ID. `fetch` refuses a character above U+00FF in a header.
 */
function headerBytes(value: string): string {
  let bytes = '';
  for (const byte of new TextEncoder().encode(value)) bytes += String.fromCharCode(byte);
  return bytes;
}

export async function stream(
  platform: Platform,
  credentials: CredentialsProvider | undefined,
  input: TransportInput,
  signal: AbortSignal,
  batch: MessageBatcher,
) {
  if (!platform.fetch) throw new Error('no fetch');
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    ...(await credentials?.()),
  };
  if (input.lastEventId !== null) headers['last-event-id'] = headerBytes(input.lastEventId);
  const response = await platform.fetch(input.url, {
    headers,
    credentials: input.withCredentials ? 'include' : 'same-origin',
    cache: 'no-store',
    signal,
  });
  if (response.status !== 200 || !isEventStream(response) || !response.body) {
    await response.body?.cancel().catch(() => {});
    batch.send({
      type: 'source.error',
      status: response.status,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), platform.now()),
    });
    return;
  }
  batch.send({ type: 'source.open', at: platform.now() });
  const parser = createParser({
    maxBufferSize: MAX_BUFFERED_CHARS,
    onEvent: (message) =>
      batch.read(
        readSseMessage(input.wire, message.event ?? 'message', message.data, message.id ?? null),
      ),
    onRetry: (ms) => batch.send({ type: 'source.retryHint', ms }),
    onError: (error) => {
      if (isOversized(error)) throw error;
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    batch.alive();
    parser.feed(value);
    // What one chunk held goes as one batch.
    batch.flush();
  }
  batch.send({ type: 'source.error' });
}
