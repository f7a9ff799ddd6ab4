import { type ReactNode, useMemo } from 'react';
import type { Tabcast } from '../create-tabcast.js';
import { assertGraceMs } from '../options.js';
import { TabcastContext } from './context.js';

export const PROVIDER_DEFAULTS = {
  graceMs: 1_000,
};

export interface TabcastProviderProps {
  /**
   * The handle from `createTabcast()`. Create it once, outside React (a module, or before
   * `createRoot().render`): React may run a component's initialiser twice and would then start
   * two actors. The provider never disposes it; the app does.
   */
  tabcast: Tabcast<any>;
  /**
   * How long the topic of a `useTopic` that unmounted stays on the stream, in ms, in case one
   * mounts again (StrictMode, a route change): the `graceMs` each `useTopic` below passes to
   * `subscribe`. It runs on the handle's clock (`platform.clock`).
   * @default 1000
   */
  graceMs?: number;
  children?: ReactNode;
}

/**
 * Makes `tabcast` available to `useTabcast`, `useTabcastStatus` and `useTopic` below it. The
 * handle keeps the topic of a `useTopic` that unmounts for `graceMs`, so StrictMode's double
 * mount and quick remounts keep one stream.
 *
 * @example
 * const tabcast = createTabcast({ url: '/events', appKey: 'shop' });
 * createRoot(root).render(
 *   <TabcastProvider tabcast={tabcast}>
 *     <App />
 *   </TabcastProvider>,
 * );
 */
export function TabcastProvider({
  tabcast,
  children,
  graceMs = PROVIDER_DEFAULTS.graceMs,
}: TabcastProviderProps) {
  assertGraceMs(graceMs);
  const value = useMemo(() => ({ tabcast, graceMs }), [tabcast, graceMs]);
  return <TabcastContext.Provider value={value}>{children}</TabcastContext.Provider>;
}
