import { shallowEqual, useSelector } from '@xstate/react';
import type { TabcastStatus } from '../../machines/status.js';
import { useTabcastContext } from './context.js';

const whole = (status: TabcastStatus) => status;

/**
 * This tab's status, or the part `selector` picks; the component re-renders only when that part
 * changes (compared shallowly, so a selector may return a new object or array).
 *
 * @example
 * const { phase, role } = useTabcastStatus((status) => ({ phase: status.phase, role: status.role }));
 */
export function useTabcastStatus(): TabcastStatus;
export function useTabcastStatus<Selected>(selector: (status: TabcastStatus) => Selected): Selected;
export function useTabcastStatus<Selected>(
  selector: (status: TabcastStatus) => Selected = whole as (status: TabcastStatus) => Selected,
): Selected {
  const { tabcast } = useTabcastContext('useTabcastStatus');
  return useSelector(tabcast.actor, (snapshot) => selector(snapshot.context.status), shallowEqual);
}
