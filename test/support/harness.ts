import { createTabcast, type Tabcast, type TabcastOptions } from '../../src/index.js';
import { FakeBrowser, type FakeBrowserOptions, type FakeTab } from '../fakes/index.js';

export interface Delivered {
  topic: string;
  event: string;
  id: string | null;
  data: unknown;
}

/** One tab with tabcast running in it, and everything its subscribers received. */
export interface TabUnderTest {
  tab: FakeTab;
  tabcast: Tabcast;
  delivered: Delivered[];
  resyncs: string[];
  /** Ends each subscription the tab was opened with. */
  unsubscribe: (() => void)[];
}

export const URL = 'https://app.test/events';

/** A fake browser whose tabs each run tabcast, signed in and subscribed as the test says. */
export class Harness {
  readonly browser: FakeBrowser;
  readonly tabs: TabUnderTest[] = [];

  constructor(
    browserOptions: FakeBrowserOptions = {},
    readonly options: Partial<TabcastOptions> = {},
  ) {
    this.browser = new FakeBrowser(browserOptions);
  }

  get clock() {
    return this.browser.clock;
  }

  /** Opens a tab, starts tabcast in it, signs in `userId` and subscribes to `topics`. */
  open({
    userId = 'ada',
    topics = ['news'],
    events = ['tick'],
    page = true,
    options = {},
  }: {
    userId?: string | null;
    topics?: string[];
    events?: string[];
    /** false: no `window`, as on a server rendering the page. */
    page?: boolean;
    options?: Partial<TabcastOptions>;
  } = {}): TabUnderTest {
    const tab = this.browser.openTab();
    const tabcast = createTabcast({
      url: URL,
      appKey: 'app',
      tabId: tab.id,
      platform: page ? tab.platform : { ...tab.platform, window: undefined },
      ...this.options,
      ...options,
    });
    const entry: TabUnderTest = { tab, tabcast, delivered: [], resyncs: [], unsubscribe: [] };
    for (const topic of topics) {
      const handlers = Object.fromEntries(
        events.map((event) => [
          event,
          (data: unknown, meta: { id: string | null }) =>
            entry.delivered.push({ topic, event, id: meta.id, data }),
        ]),
      );
      entry.unsubscribe.push(
        tabcast.subscribe(topic, handlers, { resync: () => entry.resyncs.push(topic) }),
      );
    }
    if (userId !== null) tabcast.login({ userId });
    this.tabs.push(entry);
    return entry;
  }

  /** Lets every pending message, lock grant and timer due within `ms` run. */
  async settle(ms = 0) {
    await this.clock.advance(ms);
  }

  /** The EventSources still open (not CLOSED). */
  openSources() {
    return this.browser.eventSources.filter((source) => source.readyState !== 2);
  }

  /** The one open EventSource; fails the test when there is not exactly one. */
  theSource() {
    const open = this.openSources();
    if (open.length !== 1) throw new Error(`expected 1 open EventSource, found ${open.length}`);
    return open[0]!;
  }

  /** Posts `body` on the scope's channel as tab `from` would (a peer the test plays). */
  postAsPeer(from: string, body: Record<string, unknown>, userId = 'ada') {
    const scope = `app:${userId}`;
    this.browser.postRaw(`tabcast:${scope}`, { v: 1, scope, from, ...body });
  }

  leaders() {
    return this.tabs.filter((entry) => entry.tab.alive && entry.tabcast.status.role === 'leader');
  }
}

/** Opens a tab that becomes the leader, with its stream open. */
export async function openLeader(harness: Harness, options = {}) {
  const entry = harness.open(options);
  await harness.settle(10);
  harness.theSource().open();
  await harness.settle();
  return entry;
}
