/**
 * The tabcast demo: the companion hub with a small publisher (a clock tick every second on
 * `clock`, a `chat` topic fed by the page), the demo page, and `/api/stats` for its server panel.
 *
 *   npm run demo            # http://127.0.0.1:8787/?user=demo
 *   PORT=9000 npm run demo
 *   http://127.0.0.1:8787/?user=demo&inspect   # with the Stately inspector
 *
 * Open the URL in several tabs: one of them leads and holds the only stream, the others follow.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHub, type Hub, type HubRequest, headerOf } from '../src/server/index.js';
import { bundleBrowserPage } from './bundle.js';
import { MAX_CHAT_LENGTH } from './limits.js';

export interface DemoUser {
  id: string;
}

export interface DemoServer {
  /** The page's address, e.g. `http://127.0.0.1:8787/`. */
  url: string;
  origin: string;
  hub: Hub<DemoUser>;
  close(): Promise<void>;
}

export interface DemoOptions {
  /** 0 picks a free port. @default 8787 */
  port?: number;
  /** How often the clock ticks, in ms. @default 1000 */
  clockMs?: number;
}

const USER_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Who is asking. The demo lets every tab pick its user, so the page sends its user in a header
 * (fetch transport, `credentials`); a real app reads its session cookie or token here.
 */
function demoUser(req: HubRequest): DemoUser | null {
  const name = headerOf(req, 'x-demo-user');
  return name !== undefined && USER_NAME.test(name) ? { id: name } : null;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > limit) throw new Error('body too large');
  }
  return body;
}

const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tabcast demo</title>
<link rel="icon" href="data:,">
<style>
  :root { font: 14px/1.4 system-ui, sans-serif; color: #1d2433; background: #f3f5f9; }
  body { margin: 0; padding: 16px; }
  h1 { font-size: 18px; margin: 0 0 12px; }
  h1 small { font-weight: normal; color: #5b6478; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #5b6478; margin: 0 0 8px; }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  .card { background: #fff; border: 1px solid #dde2ec; border-radius: 8px; padding: 12px; }
  .wide { grid-column: 1 / -1; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
  dt { color: #5b6478; }
  dd { margin: 0; font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; }
  .leader { background: #ffe7a8; color: #6b4a00; }
  .follower { background: #d9e8ff; color: #0b3d91; }
  .none { background: #eceff4; color: #5b6478; }
  .open { color: #137333; font-weight: 600; }
  .connecting, .reconnecting { color: #b06000; font-weight: 600; }
  .failed, .closed, .signedOut { color: #a50e0e; font-weight: 600; }
  .row { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; margin-top: 8px; }
  input { font: inherit; padding: 4px 6px; border: 1px solid #c4cad6; border-radius: 4px; min-width: 0; }
  button { font: inherit; padding: 4px 10px; border: 1px solid #9aa5bd; border-radius: 4px; background: #fff; cursor: pointer; }
  button:hover { background: #eef2f9; }
  .chip { display: inline-flex; gap: 4px; align-items: center; background: #eef2f9; border-radius: 12px; padding: 1px 4px 1px 10px; }
  .chip button { border: 0; background: none; padding: 0 4px; color: #5b6478; }
  ol { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow: auto; font-family: ui-monospace, monospace; font-size: 12px; }
  ol li { padding: 2px 0; border-bottom: 1px solid #f0f2f6; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .topic { color: #0b3d91; }
  .muted { color: #8a93a6; }
</style>
</head>
<body>
<div id="root"></div>
<script type="module" src="/client.js"></script>
</body>
</html>`;

/** Starts the demo; resolves once it listens. */
export async function startDemo({
  port = 8787,
  clockMs = 1_000,
}: DemoOptions = {}): Promise<DemoServer> {
  // `/client.js`, the chunks it may import (the inspector, on `?inspect`), and their source maps.
  const scripts = await bundleBrowserPage('demo/client.tsx', { sourcemap: true });
  const hub = createHub<DemoUser>({
    authorize: demoUser,
    // Private topics (`user:<id>:…`) belong to their user.
    allowTopic: (user, topic) => !topic.startsWith('user:') || topic.startsWith(`user:${user.id}:`),
    heartbeatMs: 5_000,
    retryMs: 1_000,
  });
  const clock = setInterval(() => {
    hub.publish('clock', 'tick', { time: new Date().toISOString() }, { sticky: true });
  }, clockMs);

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/events') return hub.handler(req, res);
      if (url.pathname === '/' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(PAGE_HTML);
      }
      const script = req.method === 'GET' ? scripts.get(url.pathname) : undefined;
      if (script !== undefined) {
        const type = url.pathname.endsWith('.map') ? 'application/json' : 'text/javascript';
        res.writeHead(200, { 'content-type': `${type}; charset=utf-8` });
        return void res.end(script);
      }
      if (url.pathname === '/api/stats' && req.method === 'GET') {
        return sendJson(res, 200, hub.stats());
      }
      if (url.pathname === '/api/chat' && req.method === 'POST') {
        const user = demoUser(req);
        if (!user) return sendJson(res, 401, { error: 'unauthorized' });
        const { text } = JSON.parse(await readBody(req, 4_096)) as { text?: unknown };
        if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_CHAT_LENGTH) {
          return sendJson(res, 400, { error: 'invalid_message' });
        }
        const id = hub.publish('chat', 'message', { user: user.id, text: text.trim() });
        return sendJson(res, 200, { id });
      }
      sendJson(res, 404, { error: 'not_found' });
    } catch {
      if (!res.headersSent) sendJson(res, 400, { error: 'bad_request' });
    }
  });
  await new Promise<void>((resolveListen) => server.listen(port, '127.0.0.1', resolveListen));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/`,
    origin,
    hub,
    async close() {
      clearInterval(clock);
      hub.close();
      const closed = new Promise((resolveClose) => server.close(resolveClose));
      server.closeAllConnections();
      await closed;
    },
  };
}

const runAsScript =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (runAsScript) {
  const demo = await startDemo({ port: Number(process.env.PORT ?? 8787) });
  console.log(`tabcast demo: ${demo.url}?user=demo  (open it in several tabs; Ctrl+C stops)`);
  const stop = () => {
    demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
