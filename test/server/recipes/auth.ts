import { type HubRequest, headerOf } from '../../../src/server/index.js';

export interface User {
  id: string;
}

const sessions = new Map<string, User>([['demo-session', { id: 'ada' }]]);

/** One authorize for hub.handler and hub.fetch: headerOf reads either request. */
export function authorize(req: HubRequest): User | null {
  const sid = /(?:^|;\s*)sid=([^;]*)/.exec(headerOf(req, 'cookie') ?? '')?.[1];
  return sessions.get(sid ?? '') ?? null;
}
