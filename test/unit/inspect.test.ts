/**
 * What the Stately inspector sees: `createTabcast({ inspect })` hands XState's inspection events of
 * the whole system to the observer. Every actor must show up under a readable id (an invoke
 * without one shows up as `0.connection.live`), the charts' key transitions must be visible, and
 * no credential may reach the inspector window (it gets every context and event).
 */

import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createTabcast } from '../../src/index.js';
import { TIMING_DEFAULTS } from '../../src/options.js';
import { FakeBrowser } from '../fakes/index.js';

const SECRET = 'SECRET-123';

/** What an inspection event's `actorRef` carries (an `Actor`; typed as `ActorRefLike`). */
interface InspectedRef {
  id: string;
  sessionId: string;
  systemId?: string;
  _parent?: { sessionId: string };
}

const refOf = (event: InspectionEvent) => event.actorRef as unknown as InspectedRef;

interface ActorNode {
  id: string;
  systemId: string | undefined;
  children: ActorNode[];
}

/** The actor tree, from the `@xstate.actor` registrations (parent by session id). */
function actorTree(events: InspectionEvent[]): ActorNode[] {
  const nodes = new Map<string, ActorNode>();
  const roots: ActorNode[] = [];
  for (const event of events) {
    if (event.type !== '@xstate.actor') continue;
    const ref = refOf(event);
    const node: ActorNode = { id: ref.id, systemId: ref.systemId, children: [] };
    nodes.set(ref.sessionId, node);
    const parent = ref._parent ? nodes.get(ref._parent.sessionId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** The tree as lines, one actor a line; an id registered more than once is counted (`×2`). */
function drawTree(group: ActorNode[], prefix = '', connector = ''): string[] {
  const [first] = group as [ActorNode];
  const system = first.systemId ? ` (systemId ${first.systemId})` : '';
  const times = group.length > 1 ? ` ×${group.length}` : '';
  const lines = [`${prefix}${connector}${first.id}${system}${times}`];
  const childPrefix = prefix + (connector === '└─ ' ? '   ' : connector === '' ? '' : '│  ');
  const byId = new Map<string, ActorNode[]>();
  for (const child of group.flatMap((node) => node.children)) {
    byId.set(child.id, [...(byId.get(child.id) ?? []), child]);
  }
  const children = [...byId.values()];
  children.forEach((child, index) => {
    lines.push(...drawTree(child, childPrefix, index === children.length - 1 ? '└─ ' : '├─ '));
  });
  return lines;
}

/** `{ locks: { queued: 'leading' } }` → `locks.queued.leading` (parallel regions joined by `|`). */
function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  return Object.entries(value)
    .map(([key, child]) => `${key}.${statePath(child)}`)
    .join('|');
}

/** Each actor's state values in order, consecutive repeats collapsed, from `@xstate.snapshot`. */
function stateHistory(events: InspectionEvent[]): Map<string, string[]> {
  const history = new Map<string, string[]>();
  for (const event of events) {
    if (event.type !== '@xstate.snapshot') continue;
    const value = (event.snapshot as { value?: unknown }).value;
    if (value === undefined) continue;
    const states = history.get(refOf(event).id) ?? [];
    const path = statePath(value);
    if (states.at(-1) !== path) states.push(path);
    history.set(refOf(event).id, states);
  }
  return history;
}

/** Every `@xstate.microstep` transition as `source -> target` state node ids. */
function transitions(events: InspectionEvent[]): string[] {
  return events.flatMap((event) =>
    event.type === '@xstate.microstep'
      ? event._transitions.map(
          (transition) =>
            `${transition.source.id} -> ${(transition.target ?? []).map((node) => node.id).join(',')}`,
        )
      : [],
  );
}

/**
 * JSON of an inspection event as far as it goes: cycles are cut, actor refs become their id (their
 * own snapshots are inspected separately), Maps and Sets become arrays.
 */
function serialize(event: InspectionEvent): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(event, (key, value: unknown) => {
    if (typeof value !== 'object' || value === null) return value;
    if (key !== '' && 'sessionId' in value && 'send' in value) {
      return { actorRef: (value as unknown as InspectedRef).id };
    }
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (value instanceof Map) return [...value.entries()];
    if (value instanceof Set) return [...value];
    return value;
  });
}

/** Every value `expected` names appears in `actual`, in this order (others may come between). */
function inOrder(actual: readonly string[], expected: readonly string[]): boolean {
  let at = 0;
  for (const item of actual) if (item === expected[at]) at++;
  return at === expected.length;
}

describe('the inspector view (createTabcast({ inspect }))', () => {
  it('shows a readable actor tree, the key transitions and no credentials', async () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab();
    const events: InspectionEvent[] = [];
    const delivered: unknown[] = [];
    const tabcast = createTabcast({
      url: 'https://app.test/events',
      appKey: 'shop',
      tabId: tab.id,
      platform: tab.platform,
      transport: 'fetch',
      credentials: () => ({ authorization: `Bearer ${SECRET}` }),
      refreshCredentials: async () => true,
      inspect: (event) => events.push(event),
    });
    tabcast.subscribe('orders', { 'order-placed': (order) => delivered.push(order) });

    tabcast.login({ userId: 'ada' }); // signs in, becomes leader, connects
    await browser.clock.advance(10);
    const first = browser.fetches.at(-1)!;
    expect(first.headers.authorization).toBe(`Bearer ${SECRET}`);
    first.respond(401); // the session refreshes the credentials, the leader reconnects
    await browser.clock.advance(0);
    const second = browser.fetches.at(-1)!;
    expect(second).not.toBe(first);
    expect(second.headers.authorization).toBe(`Bearer ${SECRET}`);
    second.respond(200);
    await browser.clock.advance(0);
    second.emitEnvelope('order-placed', 'orders', { id: 7 }, 1);
    await browser.clock.advance(0);
    expect(delivered).toEqual([{ id: 7 }]);
    tabcast.logout();
    await browser.clock.advance(0);
    expect(tabcast.status.phase).toBe('signedOut');
    // The session keeps the lock for its sign-out grace, then leaves the scope.
    await browser.clock.advance(TIMING_DEFAULTS.signOutGraceMs);

    const tree = actorTree(events);
    console.log(`tabcast actors, as the inspector shows them:\n${drawTree(tree).join('\n')}`);
    const child = (node: ActorNode | undefined, id: string) =>
      node?.children.find((candidate) => candidate.id === id);
    const [root] = tree;
    expect(tree).toHaveLength(1);
    expect(root).toMatchObject({ id: 'tab', systemId: 'tab' });
    const session = child(root, 'session');
    expect(session?.systemId).toBe('session');
    expect(child(session, 'channel')?.systemId).toBe('channel');
    expect(child(session, 'lifecycle')).toBeDefined();
    expect(child(session, 'refresh')).toBeDefined();
    const leadership = child(session, 'leadership');
    expect(leadership?.systemId).toBe('leadership');
    expect(child(leadership, 'lock')).toBeDefined();
    const connection = child(child(leadership, 'streams'), 'connection');
    expect(connection).toBeDefined();
    expect(child(connection, 'transport')).toBeDefined();
    // Nothing anonymous: no generated `x:3` session ids, no `0.connection.live` invoke ids.
    const ids = events.flatMap((event) =>
      event.type === '@xstate.actor' ? [refOf(event).id] : [],
    );
    expect(new Set(ids)).toEqual(
      new Set([
        'tab',
        'session',
        'channel',
        'lifecycle',
        'refresh',
        'leadership',
        'lock',
        'presence',
        'peers',
        'streams',
        'connection',
        'barrier',
        'transport',
      ]),
    );

    const history = stateHistory(events);
    expect(history.get('session')).toEqual([
      'signedOut',
      'signedIn.active',
      'signedIn.refreshing',
      'signedIn.verifying',
      'signedIn.active',
      'signedIn.signingOut',
      'signedOut',
    ]);
    expect(history.get('leadership')).toEqual([
      'locks.queued.waiting.resting',
      'locks.queued.leading',
      'locks.queued.retired',
    ]);
    expect(history.get('connection')).toEqual([
      'syncing',
      'live.connecting',
      'unauthorized',
      'syncing',
      'live.connecting',
      'live.open.receiving',
    ]);
    expect(
      inOrder(transitions(events), [
        'session.signedOut -> session.signedIn',
        'leadership.locks.queued.waiting -> leadership.locks.queued.leading',
        'connection.live -> connection.unauthorized',
        'session.signedIn.active -> session.signedIn.refreshing',
        'connection.unauthorized -> connection.starting',
        'connection.starting -> connection.syncing',
        'connection.live.connecting -> connection.live.open',
        'session.signedIn -> session.signedIn.signingOut',
        'session.signedIn.signingOut -> session.signedOut',
      ]),
    ).toBe(true);

    const leaks = events.map(serialize).filter((json) => json.includes(SECRET));
    expect(leaks).toEqual([]);
    // The check can see a secret where the inspector would: in an event's payload.
    tabcast.actor.send({ type: 'unknown.event', token: SECRET } as never);
    expect(serialize(events.at(-1)!)).toContain(SECRET);
    tabcast.dispose();
  });
});
