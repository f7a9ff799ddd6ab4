import type { ActorRef, AnyActorRef, Snapshot } from 'xstate';
import type { ChannelCommand, ChannelEvent } from '../../machines/events.js';
import { channelNameOf, PROTOCOL_VERSION, readChannelMessage } from '../../machines/protocol.js';
import type { ChannelInput } from '../../machines/session.machine.js';
import type { BroadcastChannelConstructor } from '../platform.js';
import { sendingCallback } from './callback.js';

/** Counts kept outside the charts, so a flood of garbage does not flood the inspector. */
export interface ChannelCounters {
  /** Messages that failed validation (wrong version, wrong scope, garbage) and were dropped. */
  invalidMessages: number;
}

/**
 * The scope's BroadcastChannel. Incoming messages are validated and handed to the session as
 * `channel.message`; `channel.post` sends one. On pagehide and on stop it says `bye` (with
 * whether this tab led, so fallback followers elect at once).
 *
 * It also runs the barriers before a connect (`channel.sync`): a `sync` posted from a second
 * channel of this tab, opened with the first so no connect waits for a channel to be set up,
 * comes back on this one after every message posted before it — a logout among them, which
 * this channel has then handed on first.
 */
export function trackChannel(
  BroadcastChannel: BroadcastChannelConstructor | undefined,
  counters: ChannelCounters,
  now: () => number,
) {
  return sendingCallback<ChannelEvent, ChannelCommand, ChannelInput>(
    ({ input, sendBack, receive, system }) => {
      if (!BroadcastChannel) return () => {};
      const { scope, tabId } = input;
      const channel = new BroadcastChannel(channelNameOf(scope));
      const syncSender = new BroadcastChannel(channelNameOf(scope));
      const envelope = { v: PROTOCOL_VERSION, scope, from: tabId };
      const syncs = new Map<string, AnyActorRef>();
      let leaderEpoch: number | null = null;
      channel.onmessage = (event) => {
        const message = readChannelMessage(event.data, scope);
        if (!message) {
          counters.invalidMessages += 1;
          return;
        }
        // This tab's own barrier (`sync`, from its second channel) is no news to the charts.
        if (message.from === tabId) {
          if (message.type !== 'sync') return;
          syncs.get(message.token)?.send({ type: 'channel.synced', token: message.token });
          syncs.delete(message.token);
          return;
        }
        const heard: ChannelEvent = { type: 'channel.message', message, receivedAt: now() };
        // A logout is the session's; every other message is the leadership's, straight to it,
        // so a relayed event on a follower takes one step less.
        const leadership = message.type === 'logout' ? undefined : system.get('leadership');
        if (leadership) (leadership as ActorRef<Snapshot<unknown>, ChannelEvent>).send(heard);
        else sendBack(heard);
      };
      // Said on pagehide (a closing tab runs nothing later) and again on stop; a second bye is
      // harmless: peers forget a tab once.
      const sayBye = () =>
        channel.postMessage({
          ...envelope,
          type: 'bye',
          leader: leaderEpoch !== null,
          epoch: leaderEpoch ?? 0,
        });
      receive((event) => {
        if (event.type === 'channel.role') {
          leaderEpoch = event.leader ? event.epoch : null;
        } else if (event.type === 'channel.leave') {
          sayBye();
        } else if (event.type === 'channel.post') {
          channel.postMessage({ ...envelope, ...event.body });
        } else if (event.type === 'channel.sync') {
          syncs.set(event.token, event.replyTo);
          syncSender.postMessage({ ...envelope, type: 'sync', token: event.token });
        } else {
          syncs.delete(event.token);
        }
      });
      return () => {
        channel.onmessage = null;
        sayBye();
        syncs.clear();
        channel.close();
        syncSender.close();
      };
    },
  );
}
