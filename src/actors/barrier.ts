import type { EventObject } from 'xstate';
import type { BarrierEvent } from '../machine-events.js';
import type { BroadcastChannelConstructor } from '../platform.js';
import { channelNameOf, PROTOCOL_VERSION } from '../protocol.js';
import { sendingCallback } from './callback.js';

/**
 * The barrier before a connect: posts a `sync` on the scope's channel from a second channel of
 * this tab and passes when the first one hears it. Messages of a channel reach a tab in the order
 * they were posted, so by then this tab has heard every message posted before — a logout among
 * them, which stops this actor with the session before it passes. One round trip on the channel,
 * no timer. Without a BroadcastChannel (solo mode) there is nobody to hear from: it passes at once.
 */
export function trackBarrier(
  BroadcastChannel: BroadcastChannelConstructor | undefined,
  random: () => number,
  now: () => number,
) {
  return sendingCallback<BarrierEvent, EventObject, { scope: string; tabId: string }>(
    ({ input, sendBack }) => {
      if (!BroadcastChannel) {
        sendBack({ type: 'barrier.passed', at: now() });
        return () => {};
      }
      const name = channelNameOf(input.scope);
      const token = `${input.tabId}:${Math.floor(random() * 2 ** 48).toString(36)}`;
      const listener = new BroadcastChannel(name);
      const sender = new BroadcastChannel(name);
      listener.onmessage = (event) => {
        const data = event.data as { type?: unknown; token?: unknown } | null;
        if (data?.type !== 'sync' || data.token !== token) return;
        listener.onmessage = null;
        sendBack({ type: 'barrier.passed', at: now() });
      };
      sender.postMessage({
        v: PROTOCOL_VERSION,
        scope: input.scope,
        from: input.tabId,
        type: 'sync',
        token,
      });
      return () => {
        listener.onmessage = null;
        listener.close();
        sender.close();
      };
    },
  );
}
