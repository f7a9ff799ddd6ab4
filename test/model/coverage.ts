/**
 * State coverage measured on the real charts: an inspection observer for `createTabcast` that
 * records every state node each machine of the system was seen in.
 *
 * Transient states (`choosingMode`, `steppingDown`, `starting`, `signingOut`) never appear in
 * a settled snapshot, so microsteps count too: the snapshot after each microstep, and the source
 * of each transition taken (an eventless transition leaves the state it was selected in).
 */
import type { AnyStateMachine, InspectionEvent } from 'xstate';

/** The part of a state node coverage reads. */
interface NodeLike {
  path: string[];
  states: Record<string, NodeLike>;
}

/** The part of a machine snapshot coverage reads. */
interface SnapshotLike {
  machine: { id: string };
  _nodes: NodeLike[];
}

const keyOf = (node: Pick<NodeLike, 'path'>) => node.path.join('.');

const isMachineSnapshot = (snapshot: unknown): snapshot is SnapshotLike =>
  typeof snapshot === 'object' &&
  snapshot !== null &&
  'machine' in snapshot &&
  '_nodes' in snapshot &&
  Array.isArray(snapshot._nodes);

/**
 * Every state node key of `machine` (`live`, `live.open`, …), the root left out, in chart order;
 * with `leavesOnly`, the atomic and final ones.
 */
export function stateKeysOf(machine: AnyStateMachine, { leavesOnly = false } = {}): string[] {
  const keys: string[] = [];
  const walk = (node: NodeLike) => {
    for (const child of Object.values(node.states)) {
      const isLeaf = Object.keys(child.states).length === 0;
      if (isLeaf || !leavesOnly) keys.push(keyOf(child));
      walk(child);
    }
  };
  walk(machine.root as unknown as NodeLike);
  return keys;
}

export interface CoverageReport {
  covered: string[];
  missing: string[];
  /** `coverage connection: 10/10 states (live, live.connecting, …)` */
  line: string;
}

/** Collects, per machine id, the state node keys the real actors were observed in. */
export class StateCoverage {
  readonly #seen = new Map<string, Set<string>>();

  /** Pass as `inspect` to `createTabcast`: it sees the whole system of the tab. */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot' && event.type !== '@xstate.microstep') return;
    if (!isMachineSnapshot(event.snapshot)) return;
    const machineId = event.snapshot.machine.id;
    for (const node of event.snapshot._nodes) this.#record(machineId, node.path);
    if (event.type === '@xstate.microstep') {
      for (const transition of event._transitions) {
        const source = transition.source as unknown as NodeLike;
        // The source and its ancestors were active when the transition was selected.
        for (let depth = 1; depth <= source.path.length; depth++) {
          this.#record(machineId, source.path.slice(0, depth));
        }
      }
    }
  };

  #record(machineId: string, path: string[]) {
    if (path.length === 0) return;
    const seen = this.#seen.get(machineId) ?? new Set<string>();
    seen.add(path.join('.'));
    this.#seen.set(machineId, seen);
  }

  /** What of `machine`'s states was seen, and the line the suite prints. */
  report(machine: AnyStateMachine): CoverageReport {
    const all = stateKeysOf(machine);
    const seen = this.#seen.get(machine.id) ?? new Set<string>();
    const covered = all.filter((key) => seen.has(key));
    const missing = all.filter((key) => !seen.has(key));
    const line =
      `coverage ${machine.id}: ${covered.length}/${all.length} states (${covered.join(', ')})` +
      (missing.length > 0 ? `; missing: ${missing.join(', ')}` : '');
    return { covered, missing, line };
  }
}
