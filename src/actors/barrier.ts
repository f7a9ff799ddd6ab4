import type { ActorRef, Snapshot } from 'xstate';
import type { BarrierEvent, ChannelCommand, ChannelSynced } from '../../machines/events.js';
import type { BroadcastChannelConstructor } from '../platform.js';
import { sendingCallback } from './callback.js';

/**
 * The barrier before a connect: asks the scope's channel (the session's `channel` actor) for a
 * round trip and passes when it reports its `sync` back. Messages of a channel reach a tab in
 * the order they were posted, so by then this tab has heard every message posted before — a
 * logout among them, which stops this actor with the session before it passes. One round trip on
 * a channel already open, no timer. Without a BroadcastChannel (solo mode) there is nobody to
 * hear from: it passes at once.
 */
export function trackBarrier(
  BroadcastChannel: BroadcastChannelConstructor | undefined,
  random: () => number,
  now: () => number,
) {
  return sendingCallback<BarrierEvent, ChannelSynced, { scope: string; tabId: string }>(
    ({ input, sendBack, receive, self, system }) => {
      const channel = system.get('channel') as
        | ActorRef<Snapshot<unknown>, ChannelCommand>
        | undefined;
      if (!BroadcastChannel || !channel) {
        sendBack({ type: 'barrier.passed', at: now() });
        return () => {};
      }
      const token = `${input.tabId}:${Math.floor(random() * 2 ** 48).toString(36)}`;
      let passed = false;
      // The channel answers this actor only, and only for its token.
      receive(() => {
        passed = true;
        sendBack({ type: 'barrier.passed', at: now() });
      });
      channel.send({ type: 'channel.sync', token, replyTo: self });
      return () => {
        // Stopped with the session, the channel is gone already and forgets on its own.
        if (!passed && channel.getSnapshot().status === 'active') {
          channel.send({ type: 'channel.unsync', token });
        }
      };
    },
  );
}
