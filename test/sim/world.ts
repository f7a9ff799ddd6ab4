import { createTabcast, type EventMeta, type Tabcast } from '../../src/index.js';
import { FakeBrowser, type FakeEventSource, type FakeTab } from '../fakes/index.js';
import {
  type Action,
  describeAction,
  MAX_LIVE_TABS,
  TOPICS,
  type Topic,
  USERS,
  type User,
} from './actions.js';
import {
  EVENT_NAME,
  type PublishedEvent,
  type SimPayload,
  SimServer,
  type SimStream,
} from './server.js';

export type LeadershipMode = 'locks' | 'fallback';

const URL = 'https://app.test/events';
/** How long settling may take: longer than the 30 s backoff cap, a stall, and an election. */
const SETTLE_LIMIT_MS = 120_000;
/** Quiet this long and the world counts as settled: a dead fallback leader is noticed in 3.5 s. */
const QUIET_MS = 6_000;
const SETTLE_STEP_MS = 1_000;
/** Events published per user and topic once everything settled: each must reach every tab. */
const FINAL_BATCH = 2;

/** One sign-in of one tab: from a `status.userId` change to the next. */
interface Session {
  /** Null while signed out. */
  readonly user: string | null;
  /** The server's newest id when the session began; events up to it may be missing. */
  readonly startHead: number;
  /**
   * Per topic, the server's newest id when the last `resync` for it reached this tab. A resync
   * says "refetch, events may be missing", so events up to it may be; none after it may.
   */
  readonly resyncHead: Map<string, number>;
  /** Per topic, the ids the topic's subscriber received, in order. */
  readonly delivered: Map<string, number[]>;
}

/** One tab of the simulation and what the test expects of it. */
export interface SimTab {
  readonly tab: FakeTab;
  readonly tabcast: Tabcast;
  readonly topics: readonly Topic[];
  /** Who the tab should be signed in as, from the logins and logouts the test made. */
  expectedUser: User | null;
  readonly sessions: Session[];
  /** Every id any subscriber of this tab received, over every session. */
  readonly seen: Set<number>;
}

/** A broken invariant: the message lists every problem, the state and the steps that led there. */
export class SimulationFailure extends Error {
  override name = 'SimulationFailure';
}

/**
 * A browser of up to {@link MAX_LIVE_TABS} tabs running tabcast, one fake clock, and the test as
 * the server. `run(actions)` applies the steps, checking the invariants that must hold at every
 * step, then settles the world (answers every request, lets time pass until every scope is quiet),
 * publishes a final batch and checks the end state.
 */
export class SimWorld {
  readonly browser: FakeBrowser;
  readonly server = new SimServer();
  readonly tabs: SimTab[] = [];
  readonly #trace: string[] = [];
  readonly #problems: string[] = [];
  readonly #finalBatch: PublishedEvent[] = [];
  readonly #start: number;

  constructor(
    readonly mode: LeadershipMode,
    seed: number,
  ) {
    // No fetch: a failed native EventSource then reports a plain network error, no status probe.
    this.browser = new FakeBrowser({ locks: mode === 'locks', fetch: false, seed });
    this.#start = this.browser.clock.now();
  }

  async run(actions: readonly Action[]): Promise<void> {
    for (const action of actions) {
      await this.#apply(action);
      this.#checkStep();
      this.#failOnProblems();
    }
    await this.settle();
    await this.#publishFinalBatch();
    this.#checkFinal();
    this.#failOnProblems();
  }

  liveTabs(): SimTab[] {
    return this.tabs.filter((entry) => entry.tab.alive);
  }

  /**
   * Answers every pending request and lets time pass, a second at a time, until every scope has
   * been quiet for {@link QUIET_MS}: one open stream and one leader per signed-in user, none for
   * the others, nothing pending.
   */
  async settle(): Promise<void> {
    this.#note('settle');
    let quietMs = 0;
    for (let waited = 0; waited < SETTLE_LIMIT_MS; waited += SETTLE_STEP_MS) {
      this.#acceptAll();
      await this.browser.clock.advance(SETTLE_STEP_MS);
      this.#checkStep();
      this.#failOnProblems();
      quietMs = this.#isQuiet() ? quietMs + SETTLE_STEP_MS : 0;
      if (quietMs >= QUIET_MS) return;
    }
    this.#problem(`the world never settled within ${SETTLE_LIMIT_MS / 1000} s`);
    this.#failOnProblems();
  }

  async #apply(action: Action): Promise<void> {
    const step = describeAction(action);
    switch (action.kind) {
      case 'open':
        return this.#openTab(action.user, action.topics, step);
      case 'close':
      case 'crash': {
        const entry = this.#pickTab(action.tab, step);
        if (!entry) return;
        if (action.kind === 'close') await entry.tab.close();
        else entry.tab.crash();
        return;
      }
      case 'logout': {
        const entry = this.#pickTab(action.tab, step);
        if (!entry) return;
        // The scope is the one the tab is in now: a logout still in flight to it does not count.
        const scope = entry.tabcast.status.userId;
        entry.tabcast.logout();
        for (const other of this.liveTabs()) {
          if (other.expectedUser === scope) other.expectedUser = null;
        }
        return;
      }
      case 'login': {
        const entry = this.#pickTab(action.tab, step);
        if (!entry) return;
        if (entry.expectedUser === null && entry.tabcast.status.userId === action.user) {
          // A logout of this scope is still on its way to the tab, which still counts itself
          // signed in: `login` is a no-op and the logout then lands. No app does this (it would
          // not log in a tab it thinks signed in), and the outcome is a race either way.
          this.#note(`  skipped: a logout of ${action.user} is still on its way`);
          return;
        }
        entry.tabcast.login({ userId: action.user });
        entry.expectedUser = action.user;
        return;
      }
      case 'publish': {
        const { event, streams } = this.server.publish(action.user, action.topic);
        this.#note(`${step} → #${event.id} live on ${streams} stream(s)`);
        return;
      }
      case 'publishFor': {
        const entry = this.#pickTab(action.tab, step);
        const user = entry?.tabcast.status.userId;
        if (!entry || !user || entry.topics.length === 0) return;
        for (let count = 0; count < action.count; count++) {
          const topic = entry.topics[(action.topic + count) % entry.topics.length]!;
          const { event, streams } = this.server.publish(user, topic);
          this.#note(`  publish ${user}/${topic} → #${event.id} live on ${streams} stream(s)`);
        }
        return;
      }
      case 'drop': {
        const live = this.server.live();
        const stream = live[action.stream % Math.max(1, live.length)];
        if (!stream) {
          this.#note(`${step}: no stream`);
          return;
        }
        this.#note(`drop ${describeStream(stream)}`);
        stream.source.drop();
        return;
      }
      case 'accept': {
        const pending = this.server.pending();
        const stream = pending[action.stream % Math.max(1, pending.length)];
        if (!stream) {
          this.#note(`${step}: nothing pending`);
          return;
        }
        this.#accept(stream);
        return;
      }
      case 'acceptAll':
        this.#note(step);
        this.#acceptAll();
        return;
      case 'wait':
        if (action.answer) this.#acceptAll();
        await this.browser.clock.advance(action.ms);
        this.#note(`${step} → t=${this.#elapsed()}`);
        return;
    }
  }

  #openTab(user: User, topics: Topic[], step: string): void {
    if (this.liveTabs().length >= MAX_LIVE_TABS) {
      this.#note(`${step}: too many tabs`);
      return;
    }
    const tab = this.browser.openTab();
    const world = this;
    const BrowserEventSource = tab.platform.EventSource!;
    /** The page's EventSource; each request reaches the server with the tab's signed-in user. */
    class ServedEventSource extends BrowserEventSource {
      constructor(url: string | globalThis.URL, init?: { withCredentials?: boolean }) {
        super(url, init);
        world.#onRequest(this, tab);
      }
    }
    const tabcast = createTabcast({
      url: URL,
      appKey: 'app',
      tabId: tab.id,
      platform: { ...tab.platform, EventSource: ServedEventSource },
    });
    const entry: SimTab = {
      tab,
      tabcast,
      topics: [...topics],
      expectedUser: user,
      sessions: [newSession(null, this.server.head)],
      seen: new Set(),
    };
    this.tabs.push(entry);
    tabcast.onStatus((status) => {
      if (status.userId !== currentSession(entry).user) {
        entry.sessions.push(newSession(status.userId, this.server.head));
      }
    });
    for (const topic of topics) {
      tabcast.subscribe(
        topic,
        {
          [EVENT_NAME]: (data: unknown, meta: EventMeta) =>
            this.#onDelivery(entry, topic, data, meta),
        },
        { resync: () => currentSession(entry).resyncHead.set(topic, this.server.head) },
      );
    }
    tabcast.login({ userId: user });
    this.#note(`${step} → ${tab.id}`);
  }

  /** A tab's page created an EventSource: the server learns whose it is from the tab. */
  #onRequest(source: FakeEventSource, tab: FakeTab): void {
    const entry = this.tabs.find((candidate) => candidate.tab === tab);
    const user = entry?.tabcast.status.userId ?? null;
    if (user === null) {
      this.#problem(`${tab.id} requested a stream while signed out: ${source.url}`);
      return;
    }
    const stream = this.server.register(source, user);
    this.#note(`  ${tab.id} requests ${describeStream(stream)}`);
  }

  #onDelivery(entry: SimTab, topic: string, data: unknown, meta: EventMeta): void {
    const session = currentSession(entry);
    const payload = data as SimPayload;
    const id = Number(meta.id);
    const who = `${entry.tab.id} (${session.user ?? 'signed out'})`;
    if (session.user === null) {
      this.#problem(`${who} received #${id} of ${payload.user}/${payload.topic} while signed out`);
    } else if (payload.user !== session.user) {
      this.#problem(`${who} received #${id}, an event of ${payload.user}: scopes crossed`);
    }
    if (payload.topic !== topic || meta.topic !== topic || payload.id !== id) {
      this.#problem(`${who}'s '${topic}' subscriber received ${JSON.stringify({ meta, payload })}`);
    }
    if (entry.seen.has(id)) this.#problem(`${who} received #${id} twice`);
    entry.seen.add(id);
    const ids = session.delivered.get(topic) ?? [];
    const previous = ids.at(-1);
    if (previous !== undefined && previous >= id) {
      this.#problem(`${who}'s '${topic}' subscriber received #${id} after #${previous}`);
    }
    ids.push(id);
    session.delivered.set(topic, ids);
  }

  #accept(stream: SimStream): void {
    try {
      const replayed = this.server.accept(stream);
      this.#note(`  accept ${describeStream(stream)} → replayed ${replayed}`);
    } catch (error) {
      this.#problem((error as Error).message);
    }
  }

  #acceptAll(): void {
    for (const stream of this.server.pending()) {
      // Opening one stream may close another (a step-down); only answer what is still waiting.
      if (stream.source.readyState === 0) this.#accept(stream);
    }
  }

  /** What must hold after every step, whatever the timing. */
  #checkStep(): void {
    for (const stream of this.server.live()) {
      const owner = this.tabs.find((entry) => entry.tab.id === stream.source.tabId);
      const actual = owner?.tabcast.status.userId ?? null;
      if (!owner?.tab.alive) this.#problem(`${describeStream(stream)} outlived its tab`);
      else if (actual !== stream.user) {
        this.#problem(`${describeStream(stream)} is still open, its tab is signed in as ${actual}`);
      }
    }
    for (const source of this.browser.eventSources) {
      if (source.autoReconnects > 0) {
        this.#problem(`${source.tabId} left a dropped EventSource to the browser's own reconnect`);
      }
    }
    if (this.mode === 'locks') {
      for (const user of USERS) {
        const streams = this.server.live().filter((stream) => stream.user === user);
        if (streams.length > 1) {
          this.#problem(`${user} holds ${streams.length} streams at once despite the Web Lock`);
        }
      }
    }
  }

  #isQuiet(): boolean {
    if (this.server.pending().length > 0) return false;
    for (const user of USERS) {
      const signedIn = this.liveTabs().filter((entry) => entry.tabcast.status.userId === user);
      const streams = this.server.live().filter((stream) => stream.user === user);
      if (signedIn.length === 0) {
        if (streams.length > 0) return false;
        continue;
      }
      const leaders = signedIn.filter((entry) => entry.tabcast.status.role === 'leader');
      if (leaders.length !== 1) return false;
      // No tab of the user wants a topic: nothing to stream, and the leader says so.
      const idle = signedIn.every((entry) => entry.topics.length === 0);
      if (streams.length !== (idle ? 0 : 1)) return false;
      if (leaders[0]!.tabcast.status.phase !== (idle ? 'idle' : 'open')) return false;
    }
    return true;
  }

  async #publishFinalBatch(): Promise<void> {
    this.#note('final batch');
    for (const user of USERS) {
      for (const topic of TOPICS) {
        for (let count = 0; count < FINAL_BATCH; count++) {
          const { event } = this.server.publish(user, topic);
          this.#finalBatch.push(event);
        }
      }
    }
    // Followers hear the relay on their next task.
    await this.browser.clock.advance(10);
    this.#checkStep();
  }

  /** What must hold once the world settled and the final batch went out. */
  #checkFinal(): void {
    const live = this.liveTabs();
    for (const entry of live) {
      const actual = entry.tabcast.status.userId;
      if (actual !== entry.expectedUser) {
        this.#problem(`${entry.tab.id} is signed in as ${actual}, expected ${entry.expectedUser}`);
      }
    }
    for (const user of USERS) {
      const signedIn = live.filter((entry) => entry.expectedUser === user);
      const streams = this.server.live().filter((stream) => stream.user === user);
      if (signedIn.length === 0) {
        if (streams.length > 0) this.#problem(`${user} is signed out everywhere, yet streams`);
        continue;
      }
      if (signedIn.every((entry) => entry.topics.length === 0)) {
        if (streams.length > 0) this.#problem(`${user} wants no topic, yet streams`);
        continue;
      }
      if (streams.length !== 1) {
        this.#problem(`${user} has ${streams.length} open streams once quiet, expected 1`);
        continue;
      }
      const stream = streams[0]!;
      const leader = signedIn.find((entry) => entry.tab.id === stream.source.tabId);
      if (leader?.tabcast.status.role !== 'leader') {
        this.#problem(`${describeStream(stream)} is held by a tab that is not ${user}'s leader`);
      }
      const wanted = new Set(signedIn.flatMap((entry) => entry.topics));
      const missing = [...wanted].filter((topic) => !stream.topics.includes(topic));
      if (missing.length > 0) {
        this.#problem(
          `${describeStream(stream)} lacks topics ${missing.join(',')} of ${user}'s tabs`,
        );
      }
    }
    for (const entry of live) {
      const user = entry.expectedUser;
      const session = currentSession(entry);
      if (user === null || session.user !== user) continue;
      for (const topic of entry.topics) {
        const got = new Set(session.delivered.get(topic) ?? []);
        const resyncHead = session.resyncHead.get(topic);
        const from = Math.max(session.startHead, resyncHead ?? 0);
        const lost = this.server.log.filter(
          (event) =>
            event.user === user && event.topic === topic && event.id > from && !got.has(event.id),
        );
        if (lost.length > 0) {
          const since =
            resyncHead === undefined
              ? `it signed in at #${session.startHead} and was never asked to resync`
              : `its session began at #${session.startHead} and its last resync at #${resyncHead}`;
          this.#problem(
            `${entry.tab.id} (${user}) lost ${topic} events ${lost.map((event) => `#${event.id}`).join(', ')}: ${since}`,
          );
        }
        const finalLost = this.#finalBatch.filter(
          (event) => event.user === user && event.topic === topic && !got.has(event.id),
        );
        if (finalLost.length > 0) {
          this.#problem(
            `${entry.tab.id} (${user}) did not get the final ${topic} events ${finalLost.map((event) => `#${event.id}`).join(', ')}`,
          );
        }
      }
    }
  }

  #pickTab(index: number, step: string): SimTab | undefined {
    const live = this.liveTabs();
    const entry = live[index % Math.max(1, live.length)];
    if (!entry) {
      this.#note(`${step}: no tab`);
      return undefined;
    }
    const { role, userId } = entry.tabcast.status;
    this.#note(`${step.replace(/#\d+/, entry.tab.id)} (${userId ?? 'signed out'}, ${role})`);
    return entry;
  }

  #note(line: string): void {
    this.#trace.push(line);
  }

  #problem(message: string): void {
    this.#problems.push(`${message} [after step ${this.#trace.length}]`);
  }

  #elapsed(): string {
    return `+${this.browser.clock.now() - this.#start} ms`;
  }

  #failOnProblems(): void {
    if (this.#problems.length === 0) return;
    throw new SimulationFailure(
      [
        ...this.#problems,
        '',
        `state at ${this.#elapsed()} (${this.mode}):`,
        ...this.#describeState(),
        '',
        'trace:',
        ...this.#trace.map((line, index) => `${String(index + 1).padStart(3)} ${line}`),
      ].join('\n'),
    );
  }

  #describeState(): string[] {
    const tabs = this.tabs.map((entry) => {
      const { userId, role, phase, epoch } = entry.tabcast.status;
      const life = entry.tab.alive ? '' : ' (gone)';
      return `  ${entry.tab.id}${life} [${entry.topics.join(',')}] expected ${entry.expectedUser}, is ${userId} ${role} ${phase} epoch ${epoch}`;
    });
    const streams = this.server.live().map((stream) => `  ${describeStream(stream)}`);
    return [...tabs, ...streams];
  }
}

function newSession(user: string | null, head: number): Session {
  return { user, startHead: head, resyncHead: new Map(), delivered: new Map() };
}

function currentSession(entry: SimTab): Session {
  return entry.sessions.at(-1)!;
}

function describeStream(stream: SimStream): string {
  const state = ['connecting', 'open', 'closed'][stream.source.readyState];
  const resume = stream.lastEventIdParam === null ? '' : ` after #${stream.lastEventIdParam}`;
  return `${stream.source.tabId}'s ${state} stream for ${stream.user} [${stream.topics.join(',')}]${resume}`;
}
