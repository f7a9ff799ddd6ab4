/** The soak's scenarios, by the letters of issue 13. */
import { DEFAULT_VARIANT, type Lane, type SoakEnvironment, type Variant } from '../lane.js';
import { failoverLane } from './failover.js';
import { logoutLane } from './logout.js';
import { openAtOnceLane } from './open-at-once.js';

/** One kind of lane a scenario's trials run in; a scenario with several takes them in turn. */
export interface LaneKind {
  label: string;
  open(environment: SoakEnvironment, name: string): Promise<Lane>;
}

export interface Scenario {
  name: string;
  /** What it asserts, in a line. */
  title: string;
  kinds: readonly LaneKind[];
  /** Lanes per kind, side by side: more for a scenario whose trials mostly wait. */
  lanes: number;
}

const FALLBACK: Variant = { withoutWebLocks: true, transport: 'eventsource' };
const FETCH: Variant = { withoutWebLocks: false, transport: 'fetch' };

const failover = (label: string, variant: Variant): LaneKind => ({
  label,
  open: (environment, name) => failoverLane(environment, name, variant),
});
const logout = (label: string, variant: Variant): LaneKind => ({
  label,
  open: (environment, name) => logoutLane(environment, name, variant),
});

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a',
    title: '12 tabs opened at once: 1 stream, 1 leader, never 2 streams at once',
    kinds: [{ label: 'a', open: openAtOnceLane }],
    lanes: 1,
  },
  {
    name: 'b',
    title: 'leader closed or crashed at 50 events/s: every event once, in order',
    kinds: [failover('b', DEFAULT_VARIANT)],
    lanes: 2,
  },
  {
    name: 'c',
    title: 'logout racing a failover or a retry: no late connect, 0 streams',
    kinds: [logout('c', DEFAULT_VARIANT)],
    lanes: 2,
  },
  {
    name: 'd',
    title: '(b) and (c) without Web Locks, and with the fetch transport',
    kinds: [
      failover('b-fallback', FALLBACK),
      logout('c-fallback', FALLBACK),
      failover('b-fetch', FETCH),
      logout('c-fetch', FETCH),
    ],
    lanes: 1,
  },
];
