/**
 * The resume point: where a new stream of this tab picks up. The tab root owns it (its ledger
 * moves with every delivered event and every server `reset`); a connection reads it when an
 * attempt begins and keeps no copy that could fall behind.
 */
import type { ActorRefFrom, AnyActorRef } from 'xstate';
import type { tabMachine } from './tab.machine.js';

export interface ResumePoint {
  /** The newest id this tab delivered, or null: a stream from here proves nothing. */
  lastEventId: string | null;
  /** The topics of the stream that id came from: the only ones a resume can vouch for. */
  provenTopics: string[];
}

export const NO_RESUME_POINT: ResumePoint = { lastEventId: null, provenTopics: [] };

/** The tab root's resume point of `stream`; none when the chart runs without one (a model test). */
export function resumePointOf(
  system: { get: (id: string) => AnyActorRef | undefined },
  stream: string,
): ResumePoint {
  const tab = system.get('tab') as ActorRefFrom<typeof tabMachine> | undefined;
  const delivery = tab?.getSnapshot().context.deliveries[stream];
  if (!delivery) return NO_RESUME_POINT;
  return { lastEventId: delivery.ledger.lastEventId, provenTopics: delivery.provenTopics };
}

/** The topics of a stream that resumed from `resume` whose continuity it cannot prove. */
export function gapsOf(topics: readonly string[], resume: ResumePoint): string[] {
  if (resume.lastEventId === null) return [...topics];
  return topics.filter((topic) => !resume.provenTopics.includes(topic));
}
