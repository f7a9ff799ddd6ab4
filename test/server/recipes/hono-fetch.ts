import { Hono } from 'hono';
import { createHub } from '../../../src/server/index.js';
import { authorize } from './auth.js';

export const hub = createHub({ authorize });
export const app = new Hono();

// Any runtime Hono runs on (Bun, Deno, workers, the node adapter): the web-standard door.
app.get('/events', (c) => hub.fetch(c.req.raw));
