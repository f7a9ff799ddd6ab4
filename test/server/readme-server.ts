import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHub, type HubRequest, headerOf } from '../../src/server/index.js';

interface User {
  id: string;
}

// Your sessions: the value of the `sid` cookie → who signed in. One here, to try it with curl.
const sessions = new Map<string, User>([['demo-session', { id: 'ada' }]]);

/** Who is asking: the signed-in user, or null for a 401. */
function authorize(req: HubRequest): User | null {
  const sid = /(?:^|;\s*)sid=([^;]*)/.exec(headerOf(req, 'cookie') ?? '')?.[1];
  return sessions.get(sid ?? '') ?? null;
}

const hub = createHub<User>({ authorize });
let lastOrderId = 0;

// The page and the stream on one origin: the browser sends the session cookie with the
// EventSource, and no CORS is involved.
const server = createServer((req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/events') return hub.handler(req, res);
  if (pathname === '/orders' && req.method === 'POST') {
    if (authorize(req) === null) return res.writeHead(401).end();
    const order = { id: ++lastOrderId, total: 42 };
    hub.publish('orders', 'order-placed', order); // every tab subscribed to 'orders' gets it
    return res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(order));
  }
  if (pathname === '/') {
    // Your page and its bundle; here one file.
    readFile(new URL('./public/index.html', import.meta.url)).then(
      (html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
      () => res.writeHead(500).end(),
    );
    return;
  }
  res.writeHead(404).end();
});

server.listen(Number(process.env.PORT ?? 8787), '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

// Shutting down: every stream is told (server_close), then the server stops.
process.on('SIGTERM', () => {
  hub.close();
  server.close();
});
