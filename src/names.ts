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

/** Throws a `TabcastError('invalid_event_name')`; `tabcast` is reserved for control events. */
export function assertEventName(name: unknown): asserts name is string {
  const problem = name === CONTROL_EVENT ? `'${CONTROL_EVENT}' is reserved` : nameProblem(name);
  if (problem) throw new TabcastError('invalid_event_name', `tabcast: event name ${problem}`);
}
