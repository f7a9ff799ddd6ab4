import type { TransportInput } from '../../machines/connection.types.js';
import type { TransportCommand } from '../../machines/events.js';
import { sendingCallback } from '../actors/callback.js';
import type { Platform } from '../platform.js';
import { messageBatcher, type SourceEvent } from './shared.js';

/** Headers for one connect, read anew each time so a refreshed token is used at once. */
export type CredentialsProvider = () =>
  | Record<string, string>
  | undefined
  | Promise<Record<string, string> | undefined>;

/**
 * The fetch transport: headers from `credentials()` (a bearer token, say), the real HTTP status
 * (401, 403, 429 with Retry-After, 204), `Last-Event-ID` as a header, and an `AbortController`
 * that ends the request when the chart leaves the attempt. Its streaming half, with the SSE
 * parser, is loaded on the first connect: a page that never uses it never downloads it.
 */
export function fetchTransport(platform: Platform, credentials: CredentialsProvider | undefined) {
  return sendingCallback<SourceEvent, TransportCommand, TransportInput>(({ input, sendBack }) => {
    const controller = new AbortController();
    const batch = messageBatcher(sendBack, platform.now);
    import('./fetch-stream.js')
      .then(({ stream, isOversized }) =>
        stream(platform, credentials, input, controller.signal, batch).catch((error: unknown) =>
          batch.send({ type: 'source.error', code: isOversized(error) ? 'oversized' : undefined }),
        ),
      )
      .catch(() => batch.send({ type: 'source.error' }));
    return () => {
      batch.close();
      controller.abort();
    };
  });
}
