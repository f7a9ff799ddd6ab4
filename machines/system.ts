import type { AnyActorRef } from 'xstate';
import type { ChannelCommand, SharedEvent, TabNotice } from './events.js';

/** The parts of `enqueueActions`' arguments the helper below uses. */
interface Enqueuer {
  sendTo: (target: AnyActorRef, event: { type: string }) => void;
}
interface SystemLike {
  get: (systemId: string) => AnyActorRef | undefined;
}

/** What each system actor is sent by the charts below it. */
interface SystemEvents {
  tab: TabNotice;
  session: SharedEvent;
  channel: ChannelCommand;
}

/**
 * Queues `event` for the system actor `systemId`, if it runs: a chart run alone (a model test)
 * has no neighbours. The event is checked against what that actor takes.
 */
export function enqueueToSystem<Id extends keyof SystemEvents>(
  enqueue: Enqueuer,
  system: SystemLike,
  systemId: Id,
  event: SystemEvents[Id],
): void {
  const target = system.get(systemId);
  if (target) enqueue.sendTo(target, event);
}
