import type { TabClock } from './clock';

/** What a fake browser resource needs to know about the tab that owns it. */
export interface TabContext {
  readonly id: string;
  /** False once the tab is closed or crashed: nothing may run on its behalf any more. */
  readonly alive: boolean;
  readonly clock: TabClock;
  /** Runs `cleanup` when the tab goes away, or at once if it already has. */
  whenGone(cleanup: () => void): void;
}
