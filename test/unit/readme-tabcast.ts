import {
  createTabcast as createRealTabcast,
  type Platform,
  SharedEventSource as RealSharedEventSource,
  type SharedEventSourceInit,
  type TabcastOptions,
} from '../../src/index.js';

let tabPlatform: Partial<Platform> | undefined;

/**
 * Runs `start` as if in the fake tab `platform`: the README's examples import from here (as
 * `'tabcast'` in the README), so they read as a user writes them, with no `platform`.
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
export function createTabcast<Events extends object = Record<string, unknown>>(
  options: TabcastOptions<Events>,
) {
  if (tabPlatform === undefined) throw new Error('createTabcast: call it inside inTab()');
  return createRealTabcast<Events>({ ...options, platform: tabPlatform });
}

/** The real `SharedEventSource`, in the fake tab of the enclosing `inTab`. */
export class SharedEventSource extends RealSharedEventSource {
  constructor(url: string, init: SharedEventSourceInit = {}) {
    if (tabPlatform === undefined) throw new Error('SharedEventSource: make it inside inTab()');
    super(url, { ...init, platform: tabPlatform });
  }
}
