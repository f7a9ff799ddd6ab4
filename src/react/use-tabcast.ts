import type { Tabcast } from '../create-tabcast.js';
import { useTabcastContext } from './context.js';

/**
 * The handle of the nearest `TabcastProvider`: `login`, `logout`, `retry`, `subscribe`, and
 * `actor` for `useSelector` from `@xstate/react`.
 *
 * @example
 * const tabcast = useTabcast();
 * return <button onClick={() => tabcast.retry()}>Reconnect</button>;
 */
export function useTabcast<Events extends object = Record<string, unknown>>(): Tabcast<Events> {
  return useTabcastContext('useTabcast').tabcast as Tabcast<Events>;
}
