import type { Platform } from '../../src/index.js';
import { createTabcast as createRealTabcast, type TabcastOptions } from '../../src/index.js';

let tabPlatform: Partial<Platform> | undefined;

/**
 * Runs `start` as if in the fake tab `platform`: the README's example imports `createTabcast`
 * from here (as `'tabcast'` in the README), so it reads as a user writes it, with no `platform`.
 */
export function inTab<T>(platform: Partial<Platform>, start: () => T): T {
  tabPlatform = platform;
  try {
    return start();
  } finally {
    tabPlatform = undefined;
  }
}

/** The real `createTabcast`, given the fake tab of the enclosing `inTab`. */
export function createTabcast<Events extends object>(options: TabcastOptions<Events>) {
  if (tabPlatform === undefined) throw new Error('createTabcast: call it inside inTab()');
  return createRealTabcast<Events>({ ...options, platform: tabPlatform });
}
