import { createContext, useContext } from 'react';
import type { Tabcast } from '../create-tabcast.js';
import { TabcastError } from '../errors.js';

export interface TabcastContextValue {
  tabcast: Tabcast<any>;
  /** What each `useTopic` below passes to `subscribe`: its topic's grace after an unmount. */
  graceMs: number;
}

export const TabcastContext = createContext<TabcastContextValue | null>(null);

/** The nearest provider's value; a clear error names the hook used outside one. */
export function useTabcastContext(hook: string): TabcastContextValue {
  const value = useContext(TabcastContext);
  if (!value) {
    throw new TabcastError(
      'invalid_option',
      `tabcast/react: ${hook}() needs a <TabcastProvider tabcast={…}> above it`,
    );
  }
  return value;
}
