import Fastify from 'fastify';
import { createHub } from '../../../src/server/index.js';
import { authorize } from './auth.js';

export const hub = createHub({ authorize });
export const app = Fastify();

app.get('/events', (request, reply) => {
  // The hub writes the response itself: Fastify must not send one.
  reply.hijack();
  hub.handler(request.raw, reply.raw);
});
