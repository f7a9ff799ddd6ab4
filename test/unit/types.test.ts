/**
 * Types check what they claim (issue 9): an actor's `sendBack` takes only the events it sends,
 * and a chart reaches another actor's context through that actor's own type. `npm run
 * typecheck` fails if an `@ts-expect-error` below stops being an error.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ActorRefFrom } from 'xstate';
import type { LockEvent, SourceEvent, TabNotice } from '../../machines/events.js';
import { enqueueToSystem } from '../../machines/system.js';
import type { tabMachine } from '../../machines/tab.machine.js';
import { resumePointOf } from '../../machines/tab.resume.js';
import { sendingCallback } from '../../src/actors/callback.js';

describe('typed actors', () => {
  it("sendBack takes only the actor's own events", () => {
    const lock = sendingCallback<LockEvent>(({ sendBack }) => {
      sendBack({ type: 'lock.granted' });
      // @ts-expect-error a misspelt event does not compile
      sendBack({ type: 'lock.grantd' });
      // @ts-expect-error nor does another actor's event
      sendBack({ type: 'source.open' } satisfies SourceEvent);
      return () => {};
    });
    expect(lock.config).toBeTypeOf('function');
  });

  it('the charts send each system actor only what it takes', () => {
    const enqueue = { sendTo: () => {} };
    const system = { get: () => undefined };
    const reset: TabNotice = { type: 'stream.reset', stream: '/events', id: '5', topics: [] };
    enqueueToSystem(enqueue, system, 'tab', reset);
    // @ts-expect-error the tab root takes no channel command
    enqueueToSystem(enqueue, system, 'tab', { type: 'channel.leave' });
    // @ts-expect-error the channel takes no tab notice
    enqueueToSystem(enqueue, system, 'channel', reset);
    expect(system.get()).toBeUndefined();
  });

  it("reads the resume point through the tab's own type, and none without a tab", () => {
    expectTypeOf<ActorRefFrom<typeof tabMachine>['getSnapshot']>()
      .returns.toHaveProperty('context')
      .toHaveProperty('deliveries');
    expect(resumePointOf({ get: () => undefined }, '/events')).toEqual({
      lastEventId: null,
      provenTopics: [],
    });
  });
});
