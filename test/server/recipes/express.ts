import express from 'express';
import { createHub } from '../../../src/server/index.js';
import { authorize } from './auth.js';

export const hub = createHub({ authorize });
export const app = express();

// Before any body parser or compression: the stream is written as it goes.
app.get('/events', hub.handler);
app.post('/orders/:id/ship', (req, res) => {
  hub.publish('orders', 'order-shipped', { id: req.params.id });
  res.sendStatus(204);
});
