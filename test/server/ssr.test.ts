/**
 * Off the browser (server-side rendering, Node): a handle is inert. It accepts every call, opens
 * no channel, takes no lock, arms no timer, makes no request, and its status says `inert`
 * (issue 9: `login()` used to open a BroadcastChannel that kept the server process alive, and the
 * requests of one user elected a leader among themselves).
 */
import { spawn } from 'node:child_process';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createTabcast, type Platform } from '../../src/index.js';
import { TabcastProvider, useTabcastStatus, useTopic } from '../../src/react/index.js';

describe('off the browser', () => {
  it('is inert with the default platform of Node', () => {
    expect(typeof window).toBe('undefined');
    const tabcast = createTabcast({ url: '/events', appKey: 'shop' });
    const statuses: string[] = [];
    tabcast.onStatus((status) => statuses.push(status.phase));
    tabcast.login({ userId: 'ada' });
    const stop = tabcast.subscribe('orders', { placed: () => {} });
    tabcast.retry();
    tabcast.logout();
    stop();
    expect(tabcast.status).toMatchObject({ phase: 'inert', role: 'none', mode: null });
    expect(statuses).toEqual([]);
    tabcast.dispose();
  });

  it('touches nothing of a platform it is given without a window', async () => {
    const used: string[] = [];
    const platform: Partial<Platform> = {
      window: undefined,
      BroadcastChannel: class {
        constructor() {
          used.push('BroadcastChannel');
        }
      } as unknown as Platform['BroadcastChannel'],
      EventSource: class {
        constructor() {
          used.push('EventSource');
        }
      } as unknown as Platform['EventSource'],
      locks: {
        request: () => {
          used.push('locks.request');
          return Promise.resolve();
        },
      },
      fetch: (() => {
        used.push('fetch');
        return Promise.reject(new Error('no'));
      }) as typeof fetch,
      clock: {
        setTimeout: () => used.push('setTimeout'),
        clearTimeout: () => used.push('clearTimeout'),
      },
    };
    for (const transport of ['eventsource', 'fetch'] as const) {
      const tabcast = createTabcast({ url: '/events', appKey: 'shop', transport, platform });
      tabcast.login({ userId: 'ada' });
      tabcast.subscribe('orders', { placed: () => {} });
      tabcast.retry();
      await new Promise((resolve) => setTimeout(resolve, 50));
      tabcast.dispose();
    }
    expect(used).toEqual([]);
  });

  it('renders with React on the server, the status saying inert', () => {
    const tabcast = createTabcast({ url: '/events', appKey: 'shop' });
    function Orders() {
      const phase = useTabcastStatus((status) => status.phase);
      useTopic('orders', { placed: () => {} });
      return createElement('p', null, `stream: ${phase}`);
    }
    const html = renderToString(createElement(TabcastProvider, { tabcast }, createElement(Orders)));
    expect(html).toBe('<p>stream: inert</p>');
  });

  it('lets a server process that created, signed in and subscribed exit by itself', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/server/fixtures/ssr-process.ts'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const exit = await new Promise<number | null | 'alive'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve('alive');
      }, 10_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    expect(exit).toBe(0);
    const statuses = JSON.parse(out) as { phase: string }[];
    expect(statuses.map((status) => status.phase)).toEqual(['inert', 'inert']);
  }, 20_000);
});
