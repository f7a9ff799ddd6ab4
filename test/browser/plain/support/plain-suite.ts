/**
 * The fixture of the plain suites: one Chromium and one `PlainServer` per file (routes mounted
 * once by `mount`), a tab per variant kept for the whole file (its sources closed after each
 * test), and fresh profiles per test for the multi-tab cases. After each test no page may have
 * reported an error.
 */
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import type { Variant } from './implementations.js';
import { PlainChromium, type PlainProfile, type PlainTab } from './plain-browser.js';
import { PlainServer, type Protocol } from './plain-server.js';

export interface PlainSuite {
  readonly server: PlainServer;
  /** The file's tab for `variant`, opened on first use. */
  tab(variant: Variant): Promise<PlainTab>;
  /** A fresh profile on the file's server, closed after the test. */
  newProfile(): Promise<PlainProfile>;
}

export interface PlainSuiteOptions {
  protocol?: Protocol;
  /** Mounts the file's routes on its server. */
  mount?: (server: PlainServer) => void;
}

export function usePlainSuite({ protocol = 'http1', mount }: PlainSuiteOptions = {}): PlainSuite {
  let chromium: PlainChromium | undefined;
  let server: PlainServer | undefined;
  let fileProfile: Promise<PlainProfile> | undefined;
  const fileTabs = new Map<string, Promise<PlainTab>>();
  const testProfiles: PlainProfile[] = [];

  beforeAll(async () => {
    [chromium, server] = await Promise.all([
      PlainChromium.launch(),
      PlainServer.start({ pageBundle: inject('plainPageBundle'), protocol }),
    ]);
    mount?.(server);
  });
  afterEach(async () => {
    // A tab that failed to open failed its own test; it has nothing to close.
    await Promise.all(
      [...fileTabs.values()].map((tab) =>
        tab.then(
          (opened) => opened.closeAll(),
          () => {},
        ),
      ),
    );
    const profiles = [...testProfiles, ...(fileProfile ? [await fileProfile] : [])];
    const errors = await Promise.all(profiles.map((profile) => profile.errors()));
    await Promise.all(testProfiles.splice(0).map((profile) => profile.close()));
    expect(errors.flat(), 'errors in the pages').toEqual([]);
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  const started = () => {
    if (!chromium || !server) throw new Error('the plain suite starts in beforeAll');
    return { chromium, server };
  };

  return {
    get server() {
      return started().server;
    },
    tab(variant) {
      let tab = fileTabs.get(variant.name);
      if (!tab) {
        const { chromium: browser, server: site } = started();
        fileProfile ??= browser.newProfile(site.origin);
        tab = fileProfile.then((profile) => profile.openTab(variant));
        fileTabs.set(variant.name, tab);
      }
      return tab;
    },
    async newProfile() {
      const { chromium: browser, server: site } = started();
      const profile = await browser.newProfile(site.origin);
      testProfiles.push(profile);
      return profile;
    },
  };
}
