import { type ReactNode, useEffect, useMemo } from 'react';
import type { Tabcast } from '../create-tabcast.js';
import { TabcastContext } from './context.js';
import { type RegistryOptions, registryFor } from './registry.js';

export interface TabcastProviderProps extends RegistryOptions {
  /**
   * The handle from `createTabcast()`. Create it once, outside React (a module, or before
   * `createRoot().render`): React may run a component's initialiser twice and would then start
   * two actors. The provider never disposes it; the app does.
   */
  tabcast: Tabcast<any>;
  children?: ReactNode;
}

/**
 * Makes `tabcast` available to `useTabcast`, `useTabcastStatus` and `useTopic` below it. Mounting
 * attaches React to the handle, unmounting detaches it a grace delay later (`graceMs`), so
 * StrictMode's double mount and quick remounts keep one subscription per topic and one stream.
 *
 * @example
 * const tabcast = createTabcast({ url: '/events', appKey: 'shop' });
 * createRoot(root).render(
 *   <TabcastProvider tabcast={tabcast}>
 *     <App />
 *   </TabcastProvider>,
 * );
 */
export function TabcastProvider({ tabcast, children, graceMs, scheduler }: TabcastProviderProps) {
  const registry = registryFor(tabcast, { graceMs, scheduler });
  useEffect(() => registry.attach(), [registry]);
  const value = useMemo(() => ({ tabcast, registry }), [tabcast, registry]);
  return <TabcastContext.Provider value={value}>{children}</TabcastContext.Provider>;
}
