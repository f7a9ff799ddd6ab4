import type { TransportInput } from '../../machines/connection.types.js';
import type { TransportCommand } from '../../machines/events.js';
import { sendingCallback } from '../actors/callback.js';
import { CONTROL_EVENT } from '../names.js';
import type { Platform } from '../platform.js';
import {
  isEventStream,
  isUtf8,
  messageBatcher,
  parseRetryAfter,
  readSseMessage,
  type SourceEvent,
} from './shared.js';

const CLOSED = 2;

/**
 * The native `EventSource` transport (cookie auth). On any error the source is closed at once:
 * the connection chart owns every retry, so the browser's own reconnect never runs beside it.
 * A native source hides the HTTP status of a failed connect; when the failure was fatal and
 * `fetch` exists, one probe request learns it (401 → refresh, 429 → Retry-After, …).
 */
export function eventSourceTransport(platform: Platform) {
  return sendingCallback<SourceEvent, TransportCommand, TransportInput>(
    ({ input, sendBack, receive }) => {
      const EventSource = platform.EventSource;
      if (!EventSource) {
        sendBack({ type: 'source.error' });
        return () => {};
      }
      const source = new EventSource(input.url, { withCredentials: input.withCredentials });
      const probe = new AbortController();
      const batch = messageBatcher(sendBack, platform.now, platform.queueTask);
      // A native source repeats the last id on messages that carry none, so an id equal to the
      // previous one is taken as no id, and an empty one after an id as the server's reset of it
      // (`id:` with no value). A new source starts with none: a replayed id is real.
      let previousId = '';
      const onEvent = (event: MessageEvent) => {
        const id = event.lastEventId !== previousId ? event.lastEventId : null;
        if (id !== null) previousId = id;
        batch.read(readSseMessage(input.wire, event.type, String(event.data), id));
      };
      const listened = new Set<string>();
      const listen = (names: string[]) => {
        const control = input.wire === 'tabcast' ? [CONTROL_EVENT] : [];
        for (const name of [...control, ...names]) {
          if (name === 'message' || listened.has(name)) continue;
          listened.add(name);
          source.addEventListener(name, onEvent);
        }
      };
      listen(input.events);
      source.onmessage = onEvent;
      source.onopen = () => batch.send({ type: 'source.open', at: platform.now() });
      source.onerror = () => {
        const fatal = source.readyState === CLOSED;
        source.close();
        if (fatal && platform.fetch) {
          batch.flush();
          probeStatus(platform, input, probe.signal).then(batch.send, () => {});
        } else {
          batch.send({ type: 'source.error' });
        }
      };
      receive((event) => listen(event.events));
      return () => {
        batch.close();
        probe.abort();
        source.onopen = null;
        source.onerror = null;
        source.onmessage = null;
        for (const name of listened) source.removeEventListener(name, onEvent);
        source.close();
      };
    },
  );
}

/** The status of a failed connect, learnt with one request whose body is never read. */
async function probeStatus(
  platform: Platform,
  input: TransportInput,
  signal: AbortSignal,
): Promise<SourceEvent> {
  try {
    const response = await platform.fetch!(input.url, {
      headers: { accept: 'text/event-stream' },
      credentials: input.withCredentials ? 'include' : 'same-origin',
      cache: 'no-store',
      signal,
    });
    // A 200 that is an event stream again: the failure was the network's, not an answer. Chromium's
    // EventSource also refuses a charset other than UTF-8: that is an answer too.
    const accepted = response.status === 200 && isEventStream(response) && isUtf8(response);
    const status = accepted ? undefined : response.status;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), platform.now());
    await response.body?.cancel().catch(() => {});
    return { type: 'source.error', status, retryAfterMs };
  } catch {
    if (signal.aborted) throw new Error('aborted');
    return { type: 'source.error' };
  }
}
