/** What a topic or an event name must satisfy. */
export interface NameRules {
  readonly pattern: RegExp;
  readonly maxLength: number;
}

export interface TopicListRules extends NameRules {
  readonly maxTopics: number;
}

/** The event name of control messages; applications cannot publish under it. */
export const CONTROL_EVENT_NAME = 'tabcast';

/** Names can come from the client: a reason quotes at most this much of one. */
const QUOTED_NAME_LENGTH = 40;

/** `name` JSON-quoted and shortened, so an error text never carries raw CR/LF or a 100 KB echo. */
export function quoteName(name: string): string {
  const shown = name.length > QUOTED_NAME_LENGTH ? `${name.slice(0, QUOTED_NAME_LENGTH)}…` : name;
  return JSON.stringify(shown);
}

/** Why `name` is not a valid topic or event name, or `undefined` when it is. */
export function findNameProblem(name: string, rules: NameRules): string | undefined {
  if (name.length === 0) return 'is empty';
  // Length first: the pattern never runs on an oversized string.
  if (name.length > rules.maxLength) return `is longer than ${rules.maxLength} characters`;
  // CR and LF would end an SSE field; a comma would split the topics parameter.
  if (/[\r\n,]/.test(name)) return 'contains CR, LF or a comma';
  if (!rules.pattern.test(name)) return `does not match ${String(rules.pattern)}`;
  return undefined;
}

export type TopicListResult = { topics: string[] } | { problem: string };

/**
 * Reads the `topics` query parameter (already URL-decoded): comma-separated, duplicates removed,
 * request order kept. Splitting after decoding accepts both `a,b` and `a%2Cb` as two topics;
 * either way no topic can contain a comma.
 */
export function parseTopicList(raw: string | null, rules: TopicListRules): TopicListResult {
  if (raw === null || raw === '') {
    return { problem: 'the "topics" query parameter is missing or empty' };
  }
  const topics = [...new Set(raw.split(','))];
  if (topics.length > rules.maxTopics) {
    return { problem: `too many topics: ${topics.length} (at most ${rules.maxTopics})` };
  }
  for (const topic of topics) {
    const problem = findNameProblem(topic, rules);
    if (problem !== undefined) return { problem: `topic ${quoteName(topic)} ${problem}` };
  }
  return { topics };
}

/** Throws a `TypeError` unless `value` is a valid name for `publish`. */
export function assertPublishName(
  kind: 'topic' | 'eventName',
  value: unknown,
  rules: NameRules,
): asserts value is string {
  if (typeof value !== 'string') {
    throw new TypeError(`publish: ${kind} must be a string, got ${typeof value}`);
  }
  const problem = findNameProblem(value, rules);
  if (problem !== undefined) {
    throw new TypeError(`publish: ${kind} ${quoteName(value)} ${problem}`);
  }
  if (kind === 'eventName' && value === CONTROL_EVENT_NAME) {
    throw new TypeError(
      `publish: the event name "${CONTROL_EVENT_NAME}" is reserved for control events`,
    );
  }
}
