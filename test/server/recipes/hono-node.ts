import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { createHub } from '../../../src/server/index.js';
import { authorize } from './auth.js';

export const hub = createHub({ authorize });
export const app = new Hono<{ Bindings: HttpBindings }>();

// On Hono's node adapter: the raw node request and response, as with node:http.
app.get('/events', (c) => {
  hub.handler(c.env.incoming, c.env.outgoing);
  return RESPONSE_ALREADY_SENT;
});
