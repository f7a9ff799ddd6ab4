// app/events/route.ts of a Next.js App Router app.
import { createHub } from '../../../src/server/index.js';
import { authorize } from './auth.js';

// One hub per server process: keep it in a module of its own (lib/hub.ts) in a real app, so
// route handlers that publish import the same one.
export const hub = createHub({ authorize });

// A stream is never cached or prerendered, and hub.fetch needs Node's runtime (or any with
// web streams and crypto.randomUUID).
export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export function GET(request: Request): Promise<Response> {
  return hub.fetch(request);
}
