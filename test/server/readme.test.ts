import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createHub, headerOf } from '../../src/server/index.js';
import { withCors } from './readme-cors.js';
import { SseReader, withTimeout } from './sse-reader.js';

const readme = readFileSync('README.md', 'utf8');
const serverExample = fileURLToPath(new URL('./readme-server.ts', import.meta.url));

/** A file as the README shows it: the package's import path instead of the source's. */
function asInReadme(path: string): string {
  return readFileSync(path, 'utf8').replace("'../../src/server/index.js'", "'tabcast/server'");
}

/** Runs the README's server as a user would (`PORT=0 tsx server.ts`); stopped after the test. */
async function runServerExample(): Promise<{ origin: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverExample], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding('utf8');
      child.stdout!.once('data', (line: string) => resolve(line.trim()));
      child.once('exit', (code) => reject(new Error(`the example exited with ${code}`)));
    }),
    10_000,
    'the example to listen',
  );
  return { origin: new URL(url).origin, child };
}

const signedIn = { cookie: 'theme=dark; sid=demo-session' };
const streamQuery = '/events?topics=orders&clientId=x';

function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  onTestFinished(() => controller.abort());
  return fetch(url, { headers, signal: controller.signal });
}

describe("the README's server", () => {
  it('is in the README verbatim', () => {
    expect(readme).toContain(asInReadme(serverExample));
  });

  it('serves the page on /', async () => {
    const { origin } = await runServerExample();
    const response = await fetch(`${origin}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('<title>shop</title>');
  });

  it('streams what the app publishes to a signed-in client, on the same origin', async () => {
    const { origin } = await runServerExample();
    const response = await openStream(`${origin}${streamQuery}`, signedIn);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = new SseReader(response.body!);
    expect((await reader.next()).retry).toBe('2000');

    const placed = await fetch(`${origin}/orders`, { method: 'POST', headers: signedIn });
    expect(placed.status).toBe(201);
    expect(await placed.json()).toEqual({ id: 1, total: 42 });

    const event = await reader.nextEvent();
    expect(event.event).toBe('order-placed');
    expect(JSON.parse(event.data!)).toEqual({ topic: 'orders', data: { id: 1, total: 42 } });
  });

  it('answers 401 without the session cookie, or with an unknown one', async () => {
    const { origin } = await runServerExample();
    for (const headers of [{}, { cookie: 'sid=guessed' }] as Record<string, string>[]) {
      const response = await fetch(`${origin}${streamQuery}`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'unauthorized' });
    }
    expect((await fetch(`${origin}/orders`, { method: 'POST' })).status).toBe(401);
  });

  it('on SIGTERM tells every stream and exits by itself', async () => {
    const { origin, child } = await runServerExample();
    const response = await openStream(`${origin}${streamQuery}`, signedIn);
    const reader = new SseReader(response.body!);
    await reader.next();
    const exited = new Promise((resolve) => child.once('exit', resolve));

    child.kill('SIGTERM');

    expect(await reader.nextEvent()).toMatchObject({
      event: 'tabcast',
      data: '{"type":"server_close","reason":"shutdown"}',
    });
    expect(await withTimeout(exited, 5000, 'the example to exit')).toBe(0);
  });
});

describe("the README's CORS wrapper", () => {
  const page = 'https://shop.example';

  async function startEventsServer() {
    const hub = createHub({
      authorize: (req) => (headerOf(req, 'authorization') === 'Bearer t0ken' ? 'ada' : null),
    });
    // readme:cors-usage:start
    const server = createServer(withCors(new Set(['https://shop.example']), hub.handler));
    // readme:cors-usage:end
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as AddressInfo;
    return { hub, url: `http://127.0.0.1:${port}${streamQuery}` };
  }

  it.each([
    ['README.md', readme],
    ['docs/server.md', readFileSync('docs/server.md', 'utf8')],
  ])('is in %s verbatim, with its use', (_page, text) => {
    expect(text).toContain(readFileSync(new URL('./readme-cors.ts', import.meta.url), 'utf8'));
    const test = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const usage = /\/\/ readme:cors-usage:start\n(.*)\n\s*\/\/ readme:cors-usage:end/.exec(test);
    expect(text).toContain(`\n${usage![1]!.trim()}\n`);
  });

  it("answers the fetch transport's preflight for the page's origin, not the hub's 405", async () => {
    const { url } = await startEventsServer();
    const response = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: page,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,last-event-id',
      },
    });
    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'access-control-allow-origin': page,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'authorization, last-event-id',
      vary: 'origin',
    });
  });

  it('lets the page read the stream, and a 401 (so tabcast can react to it)', async () => {
    const { hub, url } = await startEventsServer();
    const response = await openStream(url, {
      origin: page,
      authorization: 'Bearer t0ken',
      'last-event-id': '1',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(page);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = new SseReader(response.body!);
    await reader.next(); // retry:, then a reset: id 1 is older than anything this hub has
    await reader.nextEvent();
    hub.publish('orders', 'order-placed', { id: 7, total: 42 });
    expect((await reader.nextEvent()).event).toBe('order-placed');

    const refused = await fetch(url, { headers: { origin: page } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(page);
    expect(refused.headers.get('access-control-expose-headers')).toBe('retry-after');
  });

  it('gives another origin no CORS header, so its browser keeps the response from it', async () => {
    const { url } = await startEventsServer();
    for (const method of ['GET', 'OPTIONS']) {
      const response = await fetch(url, {
        method,
        headers: { origin: 'https://evil.example', authorization: 'Bearer t0ken' },
      });
      if (method === 'GET') await response.body?.cancel();
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});
