import { type HubRequest, headerOf } from '../../../src/server/index.js';

/** Who is asking: the `x-user` header (tests over fetch), else the `user` cookie (test tabs). */
export function userFromHeader(req: HubRequest): string | null {
  const header = headerOf(req, 'x-user');
  if (header !== undefined) return header;
  const cookie = /(?:^|;\s*)user=([^;]*)/.exec(headerOf(req, 'cookie') ?? '')?.[1];
  return cookie === undefined ? null : decodeURIComponent(cookie);
}
