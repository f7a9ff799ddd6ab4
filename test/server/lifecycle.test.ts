import { execFile } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startHub } from './harness';
import { waitUntil, withTimeout } from './sse-reader';

const fixture = fileURLToPath(new URL('./fixtures/stream-then-exit.ts', import.meta.url));

/** Runs the fixture in its own process; it must exit by itself, with every stream forgotten. */
function runUntilExit(mode: 'abort' | 'close'): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', fixture, mode],
      { timeout: 10_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message} (killed: ${error.killed}) ${stderr}`))
          : resolve(stdout),
    );
  });
}

describe('replacement', () => {
  it('closes the older stream of the same user and clientId with server_close "replaced"', async () => {
    const test = await startHub();
    const older = await test.open({ topics: 'a', clientId: 'tab-1' }, { user: 'alice' });
    await older.reader.next();
    const disconnected = test.nextDisconnect();

    const newer = await test.open({ topics: 'a', clientId: 'tab-1' }, { user: 'alice' });

    expect(await older.reader.next()).toEqual({
      event: 'tabcast',
      data: '{"type":"server_close","reason":"replaced"}',
      comments: [],
    });
    await older.reader.end();
    expect((await disconnected).clientId).toBe('tab-1');
    await newer.reader.next();
    const live = test.hub.publish('a', 'x', 1);
    expect((await newer.reader.next()).id).toBe(live);
    expect(test.hub.stats()).toMatchObject({
      openStreams: 1,
      streamsByUser: { alice: 1 },
      connects: 2,
    });
  });

  it('keeps streams of other clientIds or other users with the same clientId', async () => {
    const test = await startHub();
    await test.open({ topics: 'a', clientId: 'tab-1' }, { user: 'alice' });
    await test.open({ topics: 'a', clientId: 'tab-2' }, { user: 'alice' });
    await test.open({ topics: 'a', clientId: 'tab-1' }, { user: 'bob' });
    await test.open({ topics: 'a' }, { user: 'bob' });
    await test.open({ topics: 'a' }, { user: 'bob' });

    expect(test.hub.stats()).toMatchObject({
      openStreams: 5,
      streamsByUser: { alice: 2, bob: 3 },
      streamsByTopic: { a: 5 },
    });
  });
});

describe('forceLogout', () => {
  it('sends force_logout to the matching users only, and ends their streams', async () => {
    const test = await startHub();
    const alice = await test.open({ topics: 'a' }, { user: 'alice' });
    const aliceAgain = await test.open({ topics: 'b' }, { user: 'alice' });
    const bob = await test.open({ topics: 'a' }, { user: 'bob' });
    for (const { reader } of [alice, aliceAgain, bob]) await reader.next();

    const reached = test.hub.forceLogout((user) => user.id === 'alice');

    expect(reached).toBe(2);
    for (const { reader } of [alice, aliceAgain]) {
      expect(await reader.next()).toEqual({
        event: 'tabcast',
        data: '{"type":"force_logout"}',
        comments: [],
      });
      await reader.end();
    }
    const live = test.hub.publish('a', 'x', 1);
    expect(await bob.reader.next()).toMatchObject({ id: live, event: 'x' });
    expect(test.hub.stats().streamsByUser).toEqual({ bob: 1 });
  });
});

describe('hooks', () => {
  it('reports hooks that throw or reject through the logger and keeps the stream working', async () => {
    const test = await startHub({
      onConnect: () => {
        throw new Error('metrics exploded');
      },
      onDisconnect: async () => {
        throw new TypeError('audit log full');
      },
    });
    const { reader, abort } = await test.open(
      { topics: 'a' },
      { user: 'alice', headers: { authorization: 'Bearer SECRET-TOKEN' } },
    );
    await reader.next();

    const id = test.hub.publish('a', 'x', { secret: 'PAYLOAD-SECRET' });
    expect((await reader.next()).id).toBe(id);

    const disconnected = test.nextDisconnect();
    abort();
    await disconnected;
    await waitUntil(() => test.logged.length === 2, 1000, 'the rejected onDisconnect to be logged');
    expect(test.logged).toEqual([
      'tabcast/server: onConnect threw Error: metrics exploded',
      'tabcast/server: onDisconnect threw TypeError: audit log full',
    ]);
    expect(test.logged.join()).not.toMatch(/SECRET/);
  });

  it('gives onConnect and onDisconnect the user, key, clientId and topics', async () => {
    const test = await startHub();
    const { abort } = await test.open({ topics: 'b,a', clientId: 'tab-9' }, { user: 'alice' });

    const disconnected = test.nextDisconnect();
    abort();

    expect(await disconnected).toEqual({
      user: { id: 'alice' },
      userKey: 'alice',
      clientId: 'tab-9',
      topics: ['b', 'a'],
    });
  });
});

describe('cleanup', () => {
  it('forgets an aborted stream: stats, subscriptions, replacement slot', async () => {
    const test = await startHub({ heartbeatMs: 20 });
    const { reader, abort } = await test.open(
      { topics: 'a', clientId: 'tab-1' },
      { user: 'alice' },
    );
    await reader.next();
    expect(await reader.next()).toEqual({
      event: 'tabcast',
      data: '{"type":"heartbeat"}',
      comments: [],
    });

    const disconnected = test.nextDisconnect();
    abort();
    await disconnected;

    expect(test.hub.stats()).toEqual({
      openStreams: 0,
      streamsByUser: {},
      streamsByTopic: {},
      connects: 1,
      dropped: 0,
      broker: {
        kind: 'memory',
        state: 'ready',
        pendingPublishes: 0,
        failedPublishes: 0,
        restarts: 0,
      },
    });
  });

  it('opens nothing for a client that leaves while authorize is still running', async () => {
    let pending: { req: IncomingMessage; finish: () => void } | undefined;
    const test = await startHub({
      authorize: (req) =>
        new Promise((resolve) => {
          // hub.handler hands authorize the node request.
          pending = { req: req as IncomingMessage, finish: () => resolve({ id: 'alice' }) };
        }),
    });
    const controller = new AbortController();
    const request = fetch(test.url({ topics: 'a' }), { signal: controller.signal }).catch(
      () => 'aborted',
    );
    await waitUntil(() => pending !== undefined, 1000, 'authorize to start');

    controller.abort();
    expect(await request).toBe('aborted');
    await waitUntil(() => pending!.req.destroyed, 1000, 'the server to see the client leave');
    pending!.finish();
    await new Promise((resolve) => setImmediate(resolve));

    expect(test.hub.stats()).toMatchObject({ openStreams: 0, connects: 0 });
  });

  it('close() ends every stream with server_close "shutdown", and the server can then close', async () => {
    const test = await startHub({ heartbeatMs: 20 });
    const streams = [
      await test.open({ topics: 'a' }, { user: 'alice' }),
      await test.open({ topics: 'b' }, { user: 'bob' }),
    ];

    test.hub.close();

    for (const { reader } of streams) {
      await reader.next();
      expect(await reader.nextEvent()).toEqual({
        event: 'tabcast',
        data: '{"type":"server_close","reason":"shutdown"}',
        comments: [],
      });
      await reader.end();
    }
    expect(test.hub.stats().openStreams).toBe(0);
    await withTimeout(
      new Promise((resolve) => test.server.close(resolve)),
      2000,
      'server.close() after hub.close()',
    );
    expect(() => test.hub.publish('a', 'x', 1)).toThrow(/closed/);
  });
});

describe('open handles', () => {
  it('leaves nothing holding the process after the last client aborts', async () => {
    expect(JSON.parse(await runUntilExit('abort'))).toMatchObject({ openStreams: 0, connects: 1 });
  }, 15_000);

  it('leaves nothing holding the process after hub.close() and server.close()', async () => {
    expect(JSON.parse(await runUntilExit('close'))).toMatchObject({ openStreams: 0, connects: 1 });
  }, 15_000);
});

describe('a client that stops reading', () => {
  /** A raw socket that sends the request and never reads a byte of the response. */
  function stalledClient(port: number, path: string): void {
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-user: mallory\r\n\r\n`);
    onTestFinished(() => {
      socket.destroy();
    });
  }

  it('is dropped once maxBufferedBytes are waiting for it, while others keep receiving', async () => {
    const test = await startHub({ maxBufferedBytes: 64 * 1024, replayBufferSize: 1 });
    const healthy = await test.open({ topics: 'big' }, { user: 'alice' });
    await healthy.reader.next();
    const dropped = test.nextDisconnect();
    stalledClient(test.port, '/events?topics=big');
    await waitUntil(
      () => test.hub.stats().streamsByUser.mallory === 1,
      2000,
      'the stalled client to connect',
    );

    const payload = 'x'.repeat(256 * 1024);
    let published = 0;
    while (test.hub.stats().dropped === 0) {
      expect(published).toBeLessThan(200);
      const id = test.hub.publish('big', 'blob', payload);
      published += 1;
      expect((await healthy.reader.next(5000)).id).toBe(id);
    }

    expect((await dropped).user).toEqual({ id: 'mallory' });
    expect(test.hub.stats()).toMatchObject({
      openStreams: 1,
      streamsByUser: { alice: 1 },
      streamsByTopic: { big: 1 },
      dropped: 1,
    });
    const connections = await new Promise<number>((resolve, reject) =>
      test.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
    expect(connections).toBe(1);
  });
});
