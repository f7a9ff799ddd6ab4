import { MAX_ENDPOINT_LENGTH } from '../machines/protocol.js';
import { TabcastError } from './errors.js';

/** Longest topic or event name, in characters (matches the companion server's default). */
export const MAX_NAME_LENGTH = 128;

/** The event name the companion reserves for its control events (see docs/wire.md). */
export const CONTROL_EVENT = 'tabcast';

/**
 * A reason the name is unusable, or null. CR and LF would break SSE framing; a comma would split
 * the `topics` query parameter into two topics.
 */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'must be a string';
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
  if (/[\r\n]/.test(name)) return 'must not contain CR or LF';
  if (name.includes(',')) return 'must not contain a comma';
  return null;
}

/** Throws a `TabcastError('invalid_topic')` naming what is wrong with the topic. */
export function assertTopic(topic: unknown): asserts topic is string {
  const problem = nameProblem(topic);
  if (problem) throw new TabcastError('invalid_topic', `tabcast: topic ${problem}`);
}

/**
 * Throws a `TabcastError('invalid_event_name')`. On the companion's wire `tabcast` is reserved
 * for its control events; on the plain wire it is a name like any other.
 */
export function assertEventName(
  name: unknown,
  wire: 'tabcast' | 'plain' = 'tabcast',
): asserts name is string {
  const reserved = wire === 'tabcast' && name === CONTROL_EVENT;
  const problem = reserved ? `'${CONTROL_EVENT}' is reserved` : nameProblem(name);
  if (problem) throw new TabcastError('invalid_event_name', `tabcast: event name ${problem}`);
}

const RELATIVE_BASE = 'http://relative.invalid';

/**
 * The endpoint a topic names on the plain wire: `topic` resolved against `base` (the `url`
 * option), absolute when `base` is, else a path from the page's origin. Throws a
 * `TabcastError('invalid_topic')` for what is not a URL.
 *
 * @example
 * endpointOf('/sse/', 'chat') // '/sse/chat'
 */
export function endpointOf(base: string, topic: unknown): string {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_ENDPOINT_LENGTH) {
    throw new TabcastError(
      'invalid_topic',
      `tabcast: an endpoint must be a string of 1-${MAX_ENDPOINT_LENGTH} characters`,
    );
  }
  if (/[\r\n]/.test(topic)) {
    throw new TabcastError('invalid_topic', 'tabcast: an endpoint must not contain CR or LF');
  }
  let url: URL;
  try {
    url = new URL(topic, new URL(base, RELATIVE_BASE));
  } catch {
    throw new TabcastError('invalid_topic', 'tabcast: the endpoint is not a URL');
  }
  url.hash = '';
  return url.origin === RELATIVE_BASE ? url.href.slice(RELATIVE_BASE.length) : url.href;
}
