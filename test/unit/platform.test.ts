// @vitest-environment node
/**
 * The page's platform, read when no `platform` option says otherwise: here, off the browser, as
 * Node has it — no EventSource, no Web Locks, no window (so a handle is inert), a BroadcastChannel
 * and fetch, and tasks queued on a MessageChannel.
 */
import { describe, expect, it } from 'vitest';
import { browserPlatform } from '../../src/platform.js';

describe("the page's platform, off the browser", () => {
  it('has what Node has, and nothing it lacks', () => {
    const platform = browserPlatform();
    expect(platform.EventSource).toBeUndefined();
    expect(platform.BroadcastChannel).toBe(globalThis.BroadcastChannel);
    expect(platform.locks).toBeUndefined();
    expect(platform.window).toBeUndefined();
    expect(platform.document).toBeUndefined();
    expect(platform.random).toBe(Math.random);
    expect(platform.now).toBe(Date.now);
    expect(typeof platform.fetch).toBe('function');
  });

  it('runs queued tasks once each, in order, after the current task', async () => {
    const { queueTask } = browserPlatform();
    const ran: string[] = [];
    queueTask!(() => ran.push('first'));
    queueTask!(() => ran.push('second'));
    ran.push('now');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toEqual(['now', 'first', 'second']);
    queueTask!(() => ran.push('third'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toEqual(['now', 'first', 'second', 'third']);
  });
});
