/**
 * Scenario 5, the reconnect storm: a thousand clients hold a stream to the real companion hub,
 * the server restarts (every connection cut, nothing listening for `downMs`), and every connect
 * attempt until all are back is counted per 100 ms window — once per jitter strategy.
 *
 * The clients (`storm-clients.ts`: the real connection chart, fetch transport and `nextDelay`)
 * are spread over a few processes, and the server (`storm-server.ts`) runs in its own, so that
 * neither answering nor making a thousand connects delays the timers being measured. How late
 * the clients' event loops still ran is reported with each strategy.
 *
 * A thousand browsers see the server go in the same instant; a few processes on two cores take
 * up to a second to handle a thousand closed sockets. So each attempt is counted at its time
 * after its own client saw the cut (the windows), and also at the time it was made (the
 * observed windows): the policy, the timers and the transport are real in both.
 */
import { performance } from 'node:perf_hooks';
import type { JitterStrategy } from '../../machines/backoff.js';
import { ChildScript } from '../../test/support/child-script.js';
import { countPerWindow } from '../stats.js';
import type { StormClientsReply, StormClientsRequest } from '../storm-clients.js';
import type { StormServerReply, StormServerRequest } from '../storm-server.js';
import { expectWithin, sleep } from '../wait.js';

export const STORM_WINDOW_MS = 100;
export const STRATEGIES: JitterStrategy[] = ['full', 'equal', 'decorrelated', 'none'];

export interface StormOptions {
  clients: number;
  /** Processes the clients are spread over. */
  groups: number;
  /** How long nothing listens during the restart. */
  downMs: number;
  /** A strategy whose clients are not all back by then is reported as not recovered. */
  recoverLimitMs: number;
  log: (line: string) => void;
}

export const STORM_DEFAULTS: StormOptions = {
  clients: 1000,
  groups: 8,
  downMs: 500,
  recoverLimitMs: 60_000,
  log: () => {},
};

export interface StormResult {
  strategy: JitterStrategy;
  clients: number;
  /** Processes the clients were spread over. */
  groups: number;
  downMs: number;
  /** Connect attempts from the cut until every client was open again. */
  attempts: number;
  /**
   * Attempts in each 100 ms window after the cut, each attempt placed at its time after its own
   * client saw the cut (as a thousand browsers would all see it at once), up to the last one.
   */
  windows: number[];
  peakPer100ms: number;
  meanPer100ms: number;
  /**
   * The same windows at the times the clients planned (backoff start + chosen delay, after
   * their own cut): the jitter policy itself. A thousand clients in a few processes on two cores
   * cannot all make an attempt in one 100 ms, so made attempts smear a lockstep that planned
   * ones keep; the target compares these.
   */
  plannedWindows: number[];
  plannedPeakPer100ms: number;
  /** The same windows at the times the attempts were made, as this one machine could. */
  observedWindows: number[];
  observedPeakPer100ms: number;
  observedMeanPer100ms: number;
  /** How long after the cut the last client saw it: the spread the alignment removes. */
  dropSpreadMs: number;
  /** From the cut until every client was open again. */
  recoveredMs: number;
  recovered: boolean;
  /** How late the clients' event loops ran during the storm (p99 of the worst group). */
  loopDelayP99Ms: number;
}

type Server = ChildScript<StormServerRequest, StormServerReply>;
type Group = ChildScript<StormClientsRequest, StormClientsReply>;

async function runStrategy(
  server: Server,
  port: number,
  groups: Group[],
  strategy: JitterStrategy,
  options: StormOptions,
): Promise<StormResult> {
  const origin = `http://127.0.0.1:${port}`;
  const perGroup = Math.ceil(options.clients / groups.length);
  try {
    const opened = await Promise.all(
      groups.map((group, index) =>
        group.ask(
          {
            type: 'connect',
            origin,
            strategy,
            first: index * perGroup,
            count: Math.min(perGroup, options.clients - index * perGroup),
          },
          'open',
          60_000,
        ),
      ),
    );
    if (!opened.every((reply) => reply.ok)) {
      throw new Error(`bench: not every storm client opened its stream (${strategy})`);
    }
    await sleep(300);

    const recovered = groups.map((group) =>
      group.ask(
        { type: 'watch', limitMs: options.recoverLimitMs },
        'recovered',
        options.recoverLimitMs + 10_000,
      ),
    );
    const cutAt = performance.timeOrigin + performance.now();
    await server.ask({ type: 'restart', downMs: options.downMs }, 'restarted');
    const replies = await Promise.all(recovered);

    const attempts = replies.flatMap((reply) => reply.attempts);
    const observedWindows = countPerWindow(
      attempts,
      cutAt,
      attempts.length > 0 ? Math.max(...attempts) : cutAt,
      STORM_WINDOW_MS,
    );
    const sinceDrop = replies.flatMap((reply) => reply.sinceDrop);
    const windows = countPerWindow(
      sinceDrop,
      0,
      sinceDrop.length > 0 ? Math.max(...sinceDrop) : 0,
      STORM_WINDOW_MS,
    );
    const planned = replies.flatMap((reply) => reply.planned);
    const plannedWindows = countPerWindow(
      planned,
      0,
      planned.length > 0 ? Math.max(...planned) : 0,
      STORM_WINDOW_MS,
    );
    const droppedAt = replies.flatMap((reply) => reply.droppedAt);
    const result: StormResult = {
      strategy,
      clients: options.clients,
      groups: groups.length,
      downMs: options.downMs,
      attempts: attempts.length,
      windows,
      peakPer100ms: Math.max(...windows),
      meanPer100ms: sinceDrop.length / windows.length,
      plannedWindows,
      plannedPeakPer100ms: Math.max(...plannedWindows),
      observedWindows,
      observedPeakPer100ms: Math.max(...observedWindows),
      observedMeanPer100ms: attempts.length / observedWindows.length,
      dropSpreadMs: droppedAt.length > 0 ? Math.max(...droppedAt) - cutAt : 0,
      recoveredMs: Math.max(...replies.map((reply) => reply.at)) - cutAt,
      recovered: replies.every((reply) => reply.ok),
      loopDelayP99Ms: Math.max(...replies.map((reply) => reply.loopDelayP99Ms)),
    };
    options.log(
      `storm ${strategy}: ${result.attempts} attempts, planned peak ${result.plannedPeakPer100ms}/100 ms, ` +
        `made peak ${result.peakPer100ms}/100 ms, ` +
        `mean ${result.meanPer100ms.toFixed(1)}/100 ms (as observed: ${result.observedPeakPer100ms}, ` +
        `${result.observedMeanPer100ms.toFixed(1)}), back in ${Math.round(result.recoveredMs)} ms, ` +
        `cut seen within ${Math.round(result.dropSpreadMs)} ms, loop delay p99 ` +
        `${result.loopDelayP99Ms.toFixed(0)} ms`,
    );
    return result;
  } finally {
    await Promise.all(groups.map((group) => group.ask({ type: 'disconnect' }, 'disconnected')));
    await expectWithin(
      'the storm server empty',
      async () => (await server.ask({ type: 'stats' }, 'stats')).openStreams === 0,
      10_000,
      50,
    ).catch(() => {});
  }
}

/** Every strategy against one server process; every child is stopped whatever happens. */
export async function runStorm(overrides: Partial<StormOptions> = {}): Promise<StormResult[]> {
  const options = { ...STORM_DEFAULTS, ...overrides };
  const started: { stop: () => Promise<void> }[] = [];
  try {
    const server = await ChildScript.start<StormServerRequest, StormServerReply, 'ready'>(
      new URL('../storm-server.ts', import.meta.url),
      'ready',
    );
    started.push({ stop: () => server.child.stop({ type: 'stop' }) });
    const groups = await Promise.all(
      Array.from({ length: options.groups }, async () => {
        const group = await ChildScript.start<StormClientsRequest, StormClientsReply, 'ready'>(
          new URL('../storm-clients.ts', import.meta.url),
          'ready',
        );
        started.push({ stop: () => group.child.stop({ type: 'stop' }) });
        return group.child;
      }),
    );
    // One storm first, not counted: the first time through, every process compiles the code of
    // a failed connect and a backoff, and that alone bunched the first strategy's attempts.
    await runStrategy(server.child, server.ready.port, groups, 'full', {
      ...options,
      log: (line) => options.log(`(warm-up) ${line}`),
    });
    const results: StormResult[] = [];
    for (const strategy of STRATEGIES) {
      results.push(await runStrategy(server.child, server.ready.port, groups, strategy, options));
    }
    return results;
  } finally {
    await Promise.all(started.map((child) => child.stop()));
  }
}
