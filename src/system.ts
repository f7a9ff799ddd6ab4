import type { AnyActorRef } from 'xstate';

/** The parts of `enqueueActions`' arguments the helpers below use. */
interface Enqueuer {
  sendTo: (target: AnyActorRef, event: { type: string }) => void;
}
interface SystemLike {
  get: (systemId: string) => AnyActorRef | undefined;
}

/**
 * Queues `event` for the system actor `systemId`, if it runs: a chart run alone (a model test)
 * has no neighbours, and a tab's channel does not run in solo mode.
 */
export function enqueueToSystem<TEvent extends { type: string }>(
  enqueue: Enqueuer,
  system: SystemLike,
  systemId: 'tab' | 'session' | 'leadership' | 'channel',
  event: TEvent,
): void {
  const target = system.get(systemId);
  if (target) enqueue.sendTo(target, event);
}
