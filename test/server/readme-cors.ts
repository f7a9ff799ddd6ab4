import type { RequestListener } from 'node:http';

/**
 * For an events server on another origin than the page: the page's exact origin (never `*`,
 * which rules out cookies and Authorization), and an answer to the fetch transport's preflight.
 */
export function withCors(
  pageOrigins: ReadonlySet<string>,
  handler: RequestListener,
): RequestListener {
  return (req, res) => {
    const origin = req.headers.origin;
    res.setHeader('vary', 'origin');
    if (origin !== undefined && pageOrigins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true'); // cookies: withCredentials
      res.setHeader('access-control-expose-headers', 'retry-after'); // read on a 429 or 503
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'authorization, last-event-id',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    handler(req, res);
  };
}
