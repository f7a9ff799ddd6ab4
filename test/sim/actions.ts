import fc from 'fast-check';

export const USERS = ['ada', 'bob'] as const;
export const TOPICS = ['a', 'b', 'c'] as const;
/** The most tabs alive at once; an `open` beyond it is skipped. */
export const MAX_LIVE_TABS = 8;

export type User = (typeof USERS)[number];
export type Topic = (typeof TOPICS)[number];

/**
 * One step of the simulated world. Steps name their target by a number taken modulo the
 * candidates at the time (live tabs, open or pending streams), so every generated sequence is
 * runnable, and a shrunk one still is. A step with no candidate does nothing.
 */
export type Action =
  /** A new tab subscribes to `topics` (maybe none) and signs in as `user`. */
  | { kind: 'open'; user: User; topics: Topic[] }
  /** The user closes a tab: pagehide, hidden, gone. */
  | { kind: 'close'; tab: number }
  /** A tab's process dies: gone without a callback. */
  | { kind: 'crash'; tab: number }
  /** `logout()` in a tab: every tab of its scope signs out. */
  | { kind: 'logout'; tab: number }
  /** `login()` in a tab, as the same or another user. */
  | { kind: 'login'; tab: number; user: User }
  /** The server publishes one event of `topic` for `user`, whoever listens. */
  | { kind: 'publish'; user: User; topic: Topic }
  /**
   * The server publishes `count` events for a tab's user on that tab's topics, from its
   * `topic`-th topic on (none when it has none): events somebody listens to, in bursts.
   */
  | { kind: 'publishFor'; tab: number; topic: number; count: number }
  /** The network drops a stream the browser holds (open or still connecting). */
  | { kind: 'drop'; stream: number }
  /** The server answers one pending request (`open()` and replay). */
  | { kind: 'accept'; stream: number }
  /** The server answers every pending request. */
  | { kind: 'acceptAll' }
  /**
   * Time passes; timers, channel messages and lock grants run. With `answer`, the server first
   * answers every pending request, as a real one does within milliseconds.
   */
  | { kind: 'wait'; ms: number; answer: boolean };

const index = fc.nat({ max: 15 });
const user = fc.constantFrom<User>(...USERS);

/** Short waits matter as much as long ones: most races live inside one debounce or election. */
const duration = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 200 }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5000 }) },
);

const openArbitrary: fc.Arbitrary<Action> = fc.record({
  kind: fc.constant('open' as const),
  // Ada is the busier user, so her scope sees more tabs, handovers and races.
  user: fc.constantFrom<User>('ada', 'ada', 'bob'),
  topics: fc.subarray([...TOPICS]),
});

export const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: openArbitrary },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), tab: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), tab: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('logout' as const), tab: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('login' as const), tab: index, user }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      user: fc.constantFrom<User>('ada', 'ada', 'bob'),
      topic: fc.constantFrom<Topic>(...TOPICS),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('publishFor' as const),
      tab: index,
      topic: fc.nat({ max: 2 }),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), stream: index }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('accept' as const), stream: index }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('acceptAll' as const) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      ms: duration,
      answer: fc.constantFrom(true, true, false),
    }),
  },
);

/**
 * A whole run: a few tabs first (so early steps have something to act on), then random steps.
 * `size: 'max'` because fast-check's default bias keeps arrays at a handful of steps.
 */
export function scenarioArbitrary(maxSteps: number): fc.Arbitrary<Action[]> {
  return fc
    .tuple(
      fc.array(openArbitrary, { minLength: 1, maxLength: 4 }),
      fc.array(actionArbitrary, { maxLength: maxSteps, size: 'max' }),
    )
    .map(([opens, steps]) => [...opens, ...steps]);
}

/** One line per step, for traces and reproductions. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'open':
      return `open as ${action.user} on [${action.topics.join(',')}]`;
    case 'login':
      return `login #${action.tab} as ${action.user}`;
    case 'publish':
      return `publish ${action.user}/${action.topic}`;
    case 'publishFor':
      return `publish ${action.count} for #${action.tab}`;
    case 'drop':
    case 'accept':
      return `${action.kind} stream #${action.stream}`;
    case 'acceptAll':
      return 'accept all pending';
    case 'wait':
      return action.answer ? `answer all, wait ${action.ms} ms` : `wait ${action.ms} ms`;
    default:
      return `${action.kind} #${action.tab}`;
  }
}
