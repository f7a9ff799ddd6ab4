/**
 * What a run produced, as the flat JSON object of `npm run bench -- --json`, and as
 * docs/benchmarks.md with its two charts.
 */
import type { ModelCoverage, MutationSummary, SoakSummary } from './quality.js';
import type { FailoverResult, FailoverRun } from './scenarios/failover.js';
import type { BreakMode, HiddenResult, LateSample } from './scenarios/hidden.js';
import type { IdleResult } from './scenarios/idle.js';
import type { LogoutResult } from './scenarios/logout.js';
import type { RedisResult } from './scenarios/redis.js';
import type { RelayResult, RelayRun } from './scenarios/relay.js';
import type { SizeFigure, SizeKey } from './scenarios/size.js';
import { STORM_WINDOW_MS, type StormResult } from './scenarios/storm.js';
import type { StreamsResult } from './scenarios/streams.js';
import { median, p95, round } from './stats.js';
import { cumulative, lineChart } from './svg.js';
import { describeBound, describeContext, describeFigure, TARGETS, verdicts } from './targets.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string;
  /** 1-minute load average when the run started and when it ended. */
  loadAtStart: number;
  loadAtEnd: number;
  commit: string;
}

export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  command: string;
  machine: MachineInfo;
  streams?: StreamsResult;
  failover?: FailoverResult;
  relay?: RelayResult;
  logout?: LogoutResult;
  storm?: StormResult[];
  size?: Partial<Record<SizeKey, SizeFigure>>;
  idle?: IdleResult;
  redis?: RedisResult;
  hidden?: HiddenResult;
  modelCoverage?: ModelCoverage;
  mutation?: MutationSummary;
  soak?: SoakSummary;
  /** Scenarios that could not run, with why. */
  errors: Record<string, string>;
}

export type FlatValue = number | boolean | string | null;

const SCENARIO_FIELDS = [
  'streams',
  'failover',
  'relay',
  'logout',
  'storm',
  'size',
  'idle',
  'redis',
  'hidden',
  'modelCoverage',
  'mutation',
  'soak',
] as const;

/**
 * Several runs as one page (a run and a `--hidden` run, say): each scenario from the last run
 * that has it, the commands joined, the machine and start of the first.
 */
export function mergeResults(runs: BenchResults[]): BenchResults {
  const [first, ...rest] = runs;
  if (!first) throw new Error('bench: nothing to render');
  const merged: BenchResults = { ...first, errors: { ...first.errors } };
  for (const run of rest) {
    for (const field of SCENARIO_FIELDS) {
      if (run[field] === undefined) continue;
      Object.assign(merged, { [field]: run[field] });
      // Measured in a later run: an earlier run's failure to measure it is no longer news.
      delete merged.errors[field === 'modelCoverage' ? 'model' : field];
    }
    Object.assign(merged.errors, run.errors);
    merged.command = `${merged.command}; ${run.command}`;
    merged.durationSeconds += run.durationSeconds;
  }
  return merged;
}

const relayRun = (results: BenchResults, subject: string) =>
  results.relay?.runs.find((run) => run.subject === subject);
const finite = (value: number, digits = 2) =>
  Number.isFinite(value) ? round(value, digits) : null;

function relayThroughputRatio(results: BenchResults): number | null {
  const tabcast = relayRun(results, 'tabcast');
  const raw = relayRun(results, 'raw');
  if (!tabcast || !raw) return null;
  return finite(median(tabcast.throughputs) / median(raw.throughputs));
}

/** The one flat JSON object `--json` prints. */
export function flatten(results: BenchResults): Record<string, FlatValue> {
  const flat: Record<string, FlatValue> = {};
  const { streams, failover, relay, logout, storm, size, idle, modelCoverage, mutation } = results;
  if (streams) {
    for (const mode of ['tabcast', 'perTab'] as const) {
      for (const figure of streams[mode]) {
        flat[`streams.tabs${figure.tabs}.${mode}`] = figure.openStreams;
        flat[`streams.tabs${figure.tabs}.${mode}Max`] = figure.maxOpenStreams;
        flat[`streams.tabs${figure.tabs}.${mode}HungTabs`] = figure.hungTabs;
        flat[`streams.tabs${figure.tabs}.${mode}FirstHungTab`] = figure.firstHungTab;
      }
    }
    flat['streams.tabcast.maxOpen'] = Math.max(
      ...streams.tabcast.map((figure) => Math.max(figure.openStreams, figure.maxOpenStreams)),
    );
  }
  if (failover) {
    for (const run of failover.runs) {
      flat[`failover.${run.kind}.p50Ms.${run.subject}`] = finite(median(run.gapsMs));
      flat[`failover.${run.kind}.p95Ms.${run.subject}`] = finite(p95(run.gapsMs));
      flat[`failover.${run.kind}.newLeaderP95Ms.${run.subject}`] = finite(p95(run.newLeaderGapsMs));
      for (const [stage, samples] of Object.entries(run.stages)) {
        flat[`failover.${run.kind}.${stage}.p50Ms.${run.subject}`] = finite(median(samples));
      }
      flat[`failover.${run.kind}.repetitions.${run.subject}`] = run.gapsMs.length;
      flat[`failover.${run.kind}.failed.${run.subject}`] = run.failed;
    }
    const sum = (subject: string, field: 'lost' | 'duplicated' | 'published') =>
      failover.runs
        .filter((run) => run.subject === subject)
        .reduce((total, run) => total + run[field], 0);
    flat['events.lost'] = sum('tabcast', 'lost');
    flat['events.duplicated'] = sum('tabcast', 'duplicated');
    flat['events.published'] = sum('tabcast', 'published');
    flat['events.floor.lost'] = sum('floor', 'lost');
    flat['events.floor.duplicated'] = sum('floor', 'duplicated');
    flat['events.lostOrDuplicated'] = sum('tabcast', 'lost') + sum('tabcast', 'duplicated');
  }
  if (relay) {
    for (const run of relay.runs) {
      flat[`relay.p50Ms.${run.subject}`] = finite(median(run.latenciesMs));
      flat[`relay.p95Ms.${run.subject}`] = finite(p95(run.latenciesMs));
      flat[`relay.throughput.${run.subject}`] = finite(median(run.throughputs));
      flat[`relay.missing.${run.subject}`] = run.missing;
      flat[`relay.duplicated.${run.subject}`] = run.duplicated;
      flat[`relay.reordered.${run.subject}`] = run.reordered;
      flat[`relay.lostReorderedDuplicated.${run.subject}`] =
        run.missing + run.reordered + run.duplicated;
      flat[`relay.leaderCpuMsPerEvent.${run.subject}`] = finite(median(run.leaderMsPerEvent), 4);
      flat[`relay.leaderScriptMsPerEvent.${run.subject}`] = finite(
        median(run.leaderScriptMsPerEvent),
        4,
      );
      flat[`relay.leaderWallMsPerEvent.${run.subject}`] = finite(
        median(run.leaderWallMsPerEvent),
        4,
      );
    }
    flat['relay.leaderMsPerEvent'] = flat['relay.leaderCpuMsPerEvent.tabcast'] ?? null;
    flat['relay.throughput.ratio'] = relayThroughputRatio(results);
  }
  if (logout) {
    flat['logout.p50Ms'] = finite(median(logout.totalsMs));
    flat['logout.p95Ms'] = finite(p95(logout.totalsMs));
    flat['logout.tabs.p95Ms'] = finite(p95(logout.tabsMs));
    flat['logout.server.p95Ms'] = finite(p95(logout.serverMs));
    flat['logout.repetitions'] = logout.totalsMs.length;
    flat['logout.failed'] = logout.failed;
  }
  const noJitter = storm?.find((run) => run.strategy === 'none');
  for (const run of storm ?? []) {
    flat[`storm.plannedPeakPer100ms.${run.strategy}`] = run.plannedPeakPer100ms;
    flat[`storm.peakPer100ms.${run.strategy}`] = run.peakPer100ms;
    if (run.strategy !== 'none' && noJitter !== undefined) {
      flat[`storm.peakRatio.${run.strategy}`] = finite(
        run.plannedPeakPer100ms / noJitter.plannedPeakPer100ms,
        3,
      );
      flat[`storm.madePeakRatio.${run.strategy}`] = finite(
        run.peakPer100ms / noJitter.peakPer100ms,
        3,
      );
    }
    flat[`storm.meanPer100ms.${run.strategy}`] = finite(run.meanPer100ms);
    flat[`storm.attempts.${run.strategy}`] = run.attempts;
    flat[`storm.recoveredMs.${run.strategy}`] = finite(run.recoveredMs);
    flat[`storm.loopDelayP99Ms.${run.strategy}`] = finite(run.loopDelayP99Ms);
    flat[`storm.observedPeakPer100ms.${run.strategy}`] = run.observedPeakPer100ms;
    flat[`storm.observedMeanPer100ms.${run.strategy}`] = finite(run.observedMeanPer100ms);
    flat[`storm.cutSeenWithinMs.${run.strategy}`] = finite(run.dropSpreadMs);
  }
  for (const [key, figure] of Object.entries(size ?? {})) {
    flat[`size.${key}.gzipBytes`] = figure.gzipBytes;
    flat[`size.${key}.minBytes`] = figure.minBytes;
  }
  if (idle) {
    for (const role of ['leader', 'follower'] as const) {
      flat[`idle.${role}.wakeupsPerMin`] = finite(idle[role].wakeupsPerMin);
      flat[`idle.${role}.armedPerMin`] = finite(idle[role].armedPerMin);
    }
  }
  const memoryThroughput = results.redis?.runs.find((run) => run.subject === 'memory')?.throughput;
  for (const run of results.redis?.runs ?? []) {
    const key = run.subject.replace(/\W+/g, '_');
    flat[`redis.${key}.p50Ms`] = finite(median(run.latenciesMs));
    flat[`redis.${key}.p95Ms`] = finite(p95(run.latenciesMs));
    flat[`redis.${key}.eventsPerSecond`] = finite(run.throughput);
    flat[`redis.${key}.throughputRatio`] =
      memoryThroughput === undefined ? null : finite(run.throughput / memoryThroughput);
    flat[`redis.${key}.missing`] = run.missing;
  }
  if (results.hidden) Object.assign(flat, flattenHidden(results.hidden));
  for (const machine of modelCoverage?.machines ?? []) {
    flat[`model.${machine.machine}.statesCovered`] = machine.covered;
    flat[`model.${machine.machine}.states`] = machine.total;
  }
  if (mutation) {
    flat['mutation.score'] = mutation.score;
    flat['mutation.commit'] = mutation.commit;
  }
  for (const scenario of results.soak?.scenarios ?? []) {
    flat[`soak.${scenario.name}.trials`] = scenario.trials;
    flat[`soak.${scenario.name}.violations`] = scenario.violations;
  }
  Object.assign(flat, verdicts(flat));
  for (const [scenario, message] of Object.entries(results.errors)) {
    flat[`error.${scenario}`] = message;
  }
  flat['run.durationSeconds'] = round(results.durationSeconds, 1);
  return flat;
}

const BREAK_MODES: BreakMode[] = ['refuse', 'hang'];

/**
 * The hidden leader's figures under `hidden.*`, the visible leader's (the baseline) under
 * `hidden.visible.*`; lateness over both breaks, and per break.
 */
function flattenHidden(hidden: HiddenResult): Record<string, FlatValue> {
  const flat: Record<string, FlatValue> = {};
  const late = (prefix: string, samples: LateSample[]) => {
    const values = samples.map((sample) => sample.lateMs);
    flat[`${prefix}lateMs.max`] = values.length > 0 ? finite(Math.max(...values)) : null;
    flat[`${prefix}lateMs.p95`] = finite(p95(values));
    flat[`${prefix}lateMs.p50`] = finite(median(values));
    flat[`${prefix}samples`] = values.length;
  };
  for (const run of hidden.runs) {
    const prefix = run.visibility === 'hidden' ? 'hidden.' : 'hidden.visible.';
    late(prefix, run.samples);
    for (const mode of BREAK_MODES) {
      late(
        `${prefix}${mode}.`,
        run.samples.filter((sample) => sample.mode === mode),
      );
      flat[`hidden.recoveryMs.${mode}.${run.visibility}`] = finite(
        run.recoveryMs[mode] ?? Number.NaN,
      );
    }
    flat[`${prefix}unmatched`] = run.unmatched;
    if (run.visibility === 'hidden') {
      flat['hidden.control.chainMaxGapMs'] =
        run.chainGapsMs.length > 0 ? finite(Math.max(...run.chainGapsMs), 0) : null;
    }
    flat[`${prefix}leaderWas${run.visibility === 'hidden' ? 'Hidden' : 'Visible'}`] =
      run.leaderStates.length > 0 && run.leaderStates.every((state) => state === run.visibility);
  }
  flat['hidden.hiddenForMs'] = finite(hidden.hiddenForMs, 0);
  return flat;
}

// ---- markdown ----

const ms = (value: number) => (Number.isFinite(value) ? `${round(value, 1)} ms` : '—');
const bytes = (value: number | undefined) =>
  value === undefined ? '—' : `${value.toLocaleString('en-US')} B`;
const mark = (met: boolean | null) => (met === null ? 'not run' : met ? '**met**' : '**missed**');

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export interface Charts {
  /** Paths relative to docs/, for the markdown. */
  stormPath: string;
  failoverPath: string;
}

export function stormChart(storm: StormResult[]): string {
  const colors: Record<string, string> = {
    full: '#1f77b4',
    equal: '#2ca02c',
    decorrelated: '#9467bd',
    none: '#d62728',
  };
  return lineChart({
    title: `Reconnect storm: ${storm[0]?.clients ?? 0} clients after a server restart`,
    xLabel: 'seconds since the client saw the restart cut its connection',
    yLabel: `connect attempts per ${STORM_WINDOW_MS} ms`,
    series: storm.map((run) => ({
      label: `${run.strategy} (peak ${run.peakPer100ms})`,
      color: colors[run.strategy] ?? '#333',
      points: run.windows.map((count, index) => [((index + 0.5) * STORM_WINDOW_MS) / 1000, count]),
    })),
  });
}

export function failoverChart(runs: FailoverRun[]): string {
  const colors: Record<string, string> = { tabcast: '#1f77b4', floor: '#ff7f0e' };
  return lineChart({
    title: 'Failover gap: leader gone → first event in a follower via the new leader',
    xLabel: 'gap (ms)',
    yLabel: 'fraction of repetitions at or below',
    steps: true,
    series: runs.map((run) => ({
      label: `${run.subject}, ${run.kind}`,
      color: colors[run.subject] ?? '#333',
      dashed: run.kind === 'crash',
      points: cumulative(run.gapsMs),
    })),
  });
}

function targetsTable(results: BenchResults): string {
  const flat = flatten(results);
  const verdict = verdicts(flat);
  return [
    table(
      ['target', 'this run', 'bound', 'beside it', 'verdict'],
      TARGETS.map((target) => [
        target.label,
        describeFigure(target, flat),
        describeBound(target, flat),
        describeContext(target, flat),
        mark(verdict[`target.${target.key}`] ?? null),
      ]),
    ),
    '',
    'How each figure is measured:',
    '',
    ...TARGETS.map((target) => `- ${target.label}: ${target.measured}.`),
  ].join('\n');
}

function streamsSection(streams: StreamsResult): string {
  return [
    '## 1. Streams held',
    '',
    'Server-observed open streams for one user, tabs opened one after the other in one browser',
    `profile. A tab whose page had not loaded after ${streams.loadTimeoutMs / 1000} s counts as hung:`,
    'over HTTP/1.1 Chromium keeps at most 6 connections per host, so with one EventSource per tab',
    "the 7th tab's page request waits behind six streams that never end.",
    '',
    table(
      [
        'tabs',
        'tabcast: streams (max seen)',
        'tabcast: tabs hung',
        'per-tab EventSource: streams (max seen)',
        'per-tab: tabs hung',
      ],
      streams.tabcast.map((figure, index) => {
        const perTab = streams.perTab[index]!;
        return [
          figure.tabs,
          `${figure.openStreams} (${figure.maxOpenStreams})`,
          figure.hungTabs,
          `${perTab.openStreams} (${perTab.maxOpenStreams})`,
          perTab.firstHungTab === null
            ? perTab.hungTabs
            : `${perTab.hungTabs} (from tab ${perTab.firstHungTab} on)`,
        ];
      }),
    ),
  ].join('\n');
}

function failoverSection(failover: FailoverResult, charts: Charts): string {
  const rows = failover.runs.map((run) => [
    run.kind,
    run.subject,
    run.gapsMs.length,
    ms(median(run.gapsMs)),
    ms(p95(run.gapsMs)),
    ms(Math.max(...run.gapsMs)),
    ms(p95(run.newLeaderGapsMs)),
    ms(median(run.stages.leads)),
    ms(median(run.stages.constructs)),
    ms(median(run.stages.requests)),
    ms(median(run.stages.arrives)),
    run.lost,
    run.duplicated,
    run.failed,
  ]);
  return [
    '## 2. Failover gap',
    '',
    `Three tabs, the server publishing every ${failover.publishEveryMs} ms. The leader is closed`,
    '(`page.close()`, unload runs) or its renderer is crashed (CDP `Page.crash`, nothing runs);',
    'the gap runs from that moment to the first event a remaining follower delivers through the new',
    "leader's stream (an id above the resume point the new stream asked for). A new tab then",
    `replaces the closed one. ${failover.repetitions} repetitions of each. The floor is a bare page`,
    'script: Web Locks + EventSource + Last-Event-ID, and a bare BroadcastChannel post so its',
    'followers keep the resume point and are measured at the same point.',
    '',
    'Where the gap goes (medians, each from the moment the leader went): the new leader says it',
    'leads, constructs its EventSource, the server logs its request, the first event of the new',
    'stream reaches that EventSource (before any listener of the page). Between leading and the',
    "EventSource tabcast waits one round trip on the scope's channel (the logout barrier) and steps",
    'its charts; Chromium sends an EventSource request in a task of its own after the constructor,',
    "so the work that follows in the leader's task delays it too.",
    '',
    table(
      [
        'leader',
        'subject',
        'reps',
        'p50',
        'p95',
        'max',
        'p95 at the new leader',
        'p50: leads',
        'EventSource',
        'request at the server',
        'first event arrives',
        'lost',
        'duplicated',
        'no recovery',
      ],
      rows,
    ),
    '',
    `![Failover gap distribution](${charts.failoverPath})`,
  ].join('\n');
}

function relaySection(relay: RelayResult): string {
  const perEvent = (values: number[]) =>
    Number.isFinite(median(values)) ? `${round(median(values), 4)} ms` : '—';
  const rows = relay.runs.map((run: RelayRun) => [
    run.subject,
    ms(median(run.latenciesMs)),
    ms(p95(run.latenciesMs)),
    `${Math.round(median(run.throughputs))} events/s`,
    run.throughputs.map((value) => Math.round(value)).join(', '),
    ms(median(run.leaderSpansMs)),
    ms(median(run.throughputs.map((value) => (relay.burstEvents / value) * 1000))),
    perEvent(run.leaderMsPerEvent),
    perEvent(run.leaderScriptMsPerEvent),
    perEvent(run.leaderWallMsPerEvent),
    `${run.missing} / ${run.reordered} / ${run.duplicated}`,
  ]);
  const profile = relay.profile;
  return [
    '## 3. Relay',
    '',
    "Ten tabs, one stream. Latency: the leader's EventSource dispatching an event → each of the 9",
    `followers delivering it (${relay.latencyEvents} events, one every 10 ms, so`,
    `${relay.latencyEvents * 9} samples). Throughput: ${relay.burstEvents} events published at once,`,
    "from the leader's first arrival to the last follower's last delivery, per burst",
    `(${relay.bursts} bursts). Raw: one tab \`postMessage\`s each event's id and data on a`,
    'BroadcastChannel; followers `JSON.parse` it. "Leader dispatch" is how long the leader\'s own',
    "EventSource took to hand it the burst: when it is most of the burst, the leader's main thread",
    '(which runs each event through its charts before relaying it) sets the pace.',
    '',
    '"Leader per event" is the leader\'s main-thread time over a burst ÷ its events, from CDP',
    "`Performance.getMetrics` on the leader's page: `TaskDuration` (every task of the main thread:",
    "script, the structured clone of each post, GC, the stream's parsing) as thread CPU time; the",
    'script part alone (`ScriptDuration`); and `TaskDuration` as wall time, which on a machine with',
    'fewer cores than busy tabs also counts the time the tasks waited for a core. Lost, reordered and',
    "duplicated compare every follower's delivered ids with the published ones.",
    '',
    table(
      [
        'subject',
        'latency p50',
        'latency p95',
        'throughput (median)',
        'per burst (events/s)',
        'leader dispatch (median)',
        'burst duration (median)',
        'leader per event: CPU',
        'script',
        'wall',
        'lost / reordered / duplicated',
      ],
      rows,
    ),
    ...(profile
      ? [
          '',
          `A CPU profile of the tabcast leader over one more burst (\`--profile\`, written to`,
          `\`${profile.path}\`): ${round(profile.busyMs, 1)} ms busy of ${round(profile.totalMs, 1)} ms`,
          'sampled (wall-clock samples, so a wait for a core counts to the frame that waited). Top',
          'frames by self time:',
          '',
          table(
            ['self', '% of busy', 'function', 'where'],
            profile.frames.map((frame) => [
              ms(frame.selfMs),
              `${round(frame.percent, 1)}%`,
              `\`${frame.functionName}\``,
              frame.location === '' ? '—' : `\`${frame.location}\``,
            ]),
          ),
        ]
      : []),
  ].join('\n');
}

function logoutSection(logout: LogoutResult): string {
  return [
    '## 4. Logout propagation',
    '',
    '`logout()` in one of ten tabs (each tab in turn; the leader in',
    `${logout.fromLeader} of ${logout.totalsMs.length}), until every tab reported \`signedOut\` and the`,
    'server held no stream — whichever came last. The server is polled every millisecond.',
    '',
    table(
      ['measure', 'p50', 'p95', 'max'],
      [
        [
          'all done',
          ms(median(logout.totalsMs)),
          ms(p95(logout.totalsMs)),
          ms(Math.max(...logout.totalsMs)),
        ],
        [
          'every tab signed out',
          ms(median(logout.tabsMs)),
          ms(p95(logout.tabsMs)),
          ms(Math.max(...logout.tabsMs)),
        ],
        [
          'server at 0 streams',
          ms(median(logout.serverMs)),
          ms(p95(logout.serverMs)),
          ms(Math.max(...logout.serverMs)),
        ],
      ],
    ),
  ].join('\n');
}

function stormSection(storm: StormResult[], charts: Charts): string {
  const first = storm[0];
  const noJitter = storm.find((run) => run.strategy === 'none');
  return [
    '## 5. Reconnect storm',
    '',
    `${first?.clients ?? 0} clients, spread over ${first?.groups ?? 0} processes — each client the`,
    "real `connectionMachine` with the real fetch transport on Node's fetch and the real",
    '`planRetry`/`nextDelay` — hold a stream to the companion hub (its own process, no `retry:`',
    'hint: the hint is a floor with its own jitter for every strategy, so with the default 2 s',
    'every strategy, no jitter too, came back spread over 2–4 s and the policies could not be told',
    'apart). The server restarts: every connection is cut',
    `and nothing listens for ${first?.downMs ?? 0} ms. Every connect attempt until all clients are`,
    `open again is counted per ${STORM_WINDOW_MS} ms window; the mean is over the windows up to`,
    'the last attempt. A first storm, not counted, warms the processes up. The target compares the',
    'full-jitter peak with the peak of no jitter (clients in lockstep): the mean, diluted by the',
    'long tail of capped delays, says little about the first wave.',
    '',
    'A thousand browsers see the server go in the same instant; a few processes on two cores take',
    'a while to handle a thousand closed sockets ("cut seen within"). So each attempt is placed at',
    'its time after its own client saw the cut: "planned" at the time its backoff chose (the policy',
    'alone: the target), "made" when the fetch was called (the chart and the transport too), and',
    '"as observed" at the wall-clock time it was made. A thousand clients on two cores cannot make',
    'a thousand requests in 100 ms, so a lockstep is smeared in the made and observed windows.',
    '"Loop delay p99" is how late the busiest client process ran its timers: where it is large, the',
    'machine, not the policy, moved attempts.',
    '',
    table(
      [
        'strategy',
        'attempts',
        'planned peak / 100 ms',
        'planned peak ÷ no jitter',
        'made peak / 100 ms',
        'mean / 100 ms',
        'peak ÷ mean',
        'made peak ÷ no jitter',
        'as observed: peak, mean',
        'cut seen within',
        'all back after',
        'loop delay p99',
      ],
      storm.map((run) => [
        run.strategy,
        run.attempts,
        run.plannedPeakPer100ms,
        noJitter === undefined
          ? '—'
          : round(run.plannedPeakPer100ms / noJitter.plannedPeakPer100ms, 3),
        run.peakPer100ms,
        round(run.meanPer100ms, 1),
        round(run.peakPer100ms / run.meanPer100ms, 2),
        noJitter === undefined ? '—' : round(run.peakPer100ms / noJitter.peakPer100ms, 3),
        `${run.observedPeakPer100ms}, ${round(run.observedMeanPer100ms, 1)}`,
        ms(run.dropSpreadMs),
        run.recovered ? ms(run.recoveredMs) : 'not all',
        ms(run.loopDelayP99Ms),
      ]),
    ),
    '',
    `![Reconnect storm](${charts.stormPath})`,
  ].join('\n');
}

function sizeSection(size: Partial<Record<SizeKey, SizeFigure>>): string {
  const core = size.core;
  return [
    '## 6. Size',
    '',
    'What a page downloads for each import, all in this run. tabcast is measured as published: built',
    "with the project's tsup config and imported by name, so `exports` resolve to `dist/index.js` as",
    "in a user's bundler. One esbuild bundle per page (ESM, browser, minified, code splitting); the",
    'figure sums the chunks the page loads (statically imported; for the fetch transport also those',
    'imported with `import()`), each gzipped at level 9 on its own.',
    '',
    table(
      ['bundle', 'min', 'min+gzip'],
      Object.values(size).map((figure) => [
        figure.label,
        bytes(figure.minBytes),
        bytes(figure.gzipBytes),
      ]),
    ),
    ...(core
      ? [
          '',
          `Heaviest sources of the core (the same page bundled from \`src/\`, minified bytes before gzip): ${core.heaviest
            .map((input) => `\`${input.file}\` ${bytes(input.minBytes)}`)
            .join(', ')}.`,
        ]
      : []),
  ].join('\n');
}

function idleSection(idle: IdleResult): string {
  const kinds = (figure: IdleResult['leader']) =>
    Object.entries(figure.byKind)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ') || 'none';
  return [
    '## 7. Idle cost',
    '',
    'A leader and a follower tab, stream open, no events; the hub heartbeats at its default',
    `(${idle.heartbeatMs / 1000} s). An init script wraps setTimeout, setInterval,`,
    'requestAnimationFrame and requestIdleCallback and counts callbacks that actually run, over a',
    `${idle.windowMs / 1000} s window after the connection became stable.`,
    '',
    table(
      ['tab', 'wake-ups / min', 'timers armed / min', 'callbacks by kind'],
      (['leader', 'follower'] as const).map((role) => [
        role,
        round(idle[role].wakeupsPerMin, 1),
        round(idle[role].armedPerMin, 1),
        kinds(idle[role]),
      ]),
    ),
  ].join('\n');
}

function redisSection(redis: RedisResult): string {
  const memory = redis.runs.find((run) => run.subject === 'memory');
  return [
    '## 8. Many processes on Redis',
    '',
    'One Chromium tab streams `news` through one origin (a balancer in the bench process). Latency:',
    `the publish call to the tab's subscriber delivering it (${redis.latencyEvents} events, one every`,
    `10 ms). Throughput: ${redis.burstEvents} events published at once, first publish call to the`,
    "tab's last delivery. `memory` is the in-memory hub publishing in its own process (the",
    'baseline); on Redis with 1 process the tab streams from the publishing process; with 3, the tab',
    'streams from process A and process C publishes. A real `redis-server` on 127.0.0.1.',
    '',
    table(
      ['hub', 'latency p50', 'latency p95', 'throughput', 'vs memory', 'missing'],
      redis.runs.map((run) => [
        run.subject,
        ms(median(run.latenciesMs)),
        ms(p95(run.latenciesMs)),
        `${Math.round(run.throughput)} events/s`,
        memory === undefined ? '—' : `${round(run.throughput / memory.throughput, 2)}×`,
        run.missing,
      ]),
    ),
  ].join('\n');
}

function hiddenSection(hidden: HiddenResult): string {
  const lateness = (samples: LateSample[]) => {
    const values = samples.map((sample) => sample.lateMs);
    return values.length === 0
      ? '—'
      : `${values.length}: p50 ${ms(median(values))}, p95 ${ms(p95(values))}, max ${ms(Math.max(...values))}`;
  };
  const recovered = (value: number | null) => (value === null ? 'not in the limit' : ms(value));
  const hiddenRun = hidden.runs.find((run) => run.visibility === 'hidden');
  return [
    '## 9. A hidden leader reconnecting',
    '',
    '`npm run bench -- --hidden` (minutes; not part of the default run). Two headed Chromiums under',
    'Xvfb, joined over CDP (the one way found to get really hidden tabs, throttling on): in one the',
    'leader tab is behind a second tab, in the other it is the tab in front — the baseline. Both',
    "start Chromium's once-a-minute regime for hidden tabs (a chain of timers, each set from the",
    `previous one's callback, wakes once a minute) ${hidden.throttlingAfterS} s after a tab is hidden (the`,
    "`IntensiveWakeUpThrottling` feature's `grace_period_seconds`; by default 300 s). Each",
    "leader's page and stream go through a proxy of its own in front of the companion on its",
    `defaults (\`retry:\` ${hidden.retryMs / 1000} s, the backoff's base). The leader had been hidden`,
    `${round(hidden.hiddenForMs / 1000, 1)} s when both proxies, in the same instant, refused every`,
    `connection (a reset) for ${hidden.breakMs.refuse / 1000} s, passed again, then hung every`,
    `connection (accepted, never answered) for ${hidden.breakMs.hang / 1000} s, and passed again.`,
    "Late: the proxy seeing an attempt minus the `retryAt` the leader's status gave for it; the",
    "recovering attempt counts to its break. Back after: the proxy passing again → the server's",
    'first 200 stream of the user.',
    '',
    ...(hiddenRun
      ? [
          'The control: in a third tab, hidden with the leader, a chain of 1 s timers (each set from',
          "the previous one's callback) woke at most every",
          `${ms(Math.max(0, ...hiddenRun.chainGapsMs))} once the tab had been hidden ${hidden.hiddenSettleMs / 1000} s — Chromium's`,
          'once-a-minute regime for such chains, when that is near a minute.',
          '',
        ]
      : []),
    table(
      [
        'leader',
        'visibilityState (break, end)',
        'late, refusing: attempts',
        'late, hanging: attempts',
        'back after refusing',
        'back after hanging',
        'plans with no attempt seen',
      ],
      hidden.runs.map((run) => [
        run.visibility,
        run.leaderStates.join(', '),
        lateness(run.samples.filter((sample) => sample.mode === 'refuse')),
        lateness(run.samples.filter((sample) => sample.mode === 'hang')),
        recovered(run.recoveryMs.refuse),
        recovered(run.recoveryMs.hang),
        run.unmatched,
      ]),
    ),
    ...(hiddenRun
      ? [
          '',
          'Every attempt of the hidden leader, in order (attempt number as its status gave it):',
          '',
          table(
            ['break', 'attempt', 'planned in', 'late'],
            hiddenRun.samples.map((sample, index) => [
              sample.mode,
              sample.attempt,
              index === 0 ? '—' : ms(sample.plannedAt - hiddenRun.samples[index - 1]!.seenAt),
              ms(sample.lateMs),
            ]),
          ),
        ]
      : []),
  ].join('\n');
}

function qualitySection(results: BenchResults): string {
  const lines = ['## Quality figures (not gates)', ''];
  const mutation = results.mutation;
  if (mutation) {
    const valid = mutation.killed + mutation.timedOut + mutation.survived + mutation.noCoverage;
    const files = Object.entries(mutation.byFile ?? {})
      .map(([file, figure]) => `\`${file}\` ${figure.score}% of ${figure.mutants}`)
      .join(', ');
    lines.push(
      `- **Mutation score: ${mutation.score}%** — ${mutation.killed} killed and ${mutation.timedOut}`,
      `  timed out of ${valid} mutants (${mutation.survived} survived, ${mutation.noCoverage} not`,
      `  covered; ${mutation.coveredScore}% of the covered ones). Stryker's vitest runner on the`,
      `  \`unit\` project, at ${mutation.commit} on ${mutation.date}${Number.isFinite(mutation.durationMinutes) ? ` (${mutation.durationMinutes} min on this machine)` : ''}:`,
      `  \`${mutation.command}\`. By file: ${files}.`,
      '  Measured apart from this run (`npm run test:mutation`, not in CI, mutates all of `machines/`',
      '  and `src/` but `src/server/` and `src/react/`; a full run takes hours here, so the figure',
      '  covers the files named).',
    );
  } else {
    lines.push(
      '- Mutation score: not measured yet — `npm run test:mutation` writes `bench/results/mutation.json`.',
    );
  }
  const soak = results.soak;
  if (soak) {
    const minutes = Math.round(soak.durationSeconds / 6) / 10;
    lines.push(
      `- **Soak: ${soak.scenarios.reduce((sum, scenario) => sum + scenario.violations, 0)} violations** in ${soak.trials} trials of each scenario (real Chromium tabs against the companion, docs/soak.md), at ${soak.commit} on ${soak.date.slice(0, 10)}, ${minutes} min on this machine: ${soak.scenarios
        .map(
          (scenario) =>
            `(${scenario.name}) ${scenario.title}: ${scenario.violations} of ${scenario.trials} trials, ${Math.round(scenario.seconds)} s`,
        )
        .join('; ')}. Replay: \`${soak.replay}\`; measured apart from this run.`,
    );
  } else {
    lines.push('- Soak: not recorded yet — `npm run soak -- --trials 1000 --record`.');
  }
  const coverage = results.modelCoverage;
  if (coverage && coverage.machines.length > 0) {
    lines.push(
      `- Model-based state coverage, from \`${coverage.command}\` in this run: ${coverage.machines
        .map((machine) => `${machine.machine} ${machine.covered}/${machine.total} states`)
        .join(', ')}.${coverage.problem ? ` (${coverage.problem})` : ''}`,
    );
  } else {
    lines.push(
      `- Model-based state coverage: none this run (${coverage?.problem ?? 'not run'}); it comes from the`,
      `  \`coverage <machine>: N/M states\` lines of \`${coverage?.command ?? 'npx vitest run --project unit test/model'}\`.`,
    );
  }
  return lines.join('\n');
}

export function renderMarkdown(results: BenchResults, charts: Charts): string {
  const { machine } = results;
  const sections = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (bench/run.ts); edit the code, not this page. -->',
    '',
    'Every figure below was measured side by side with its baseline in one run, on one machine.',
    'Benchmarks report; they never fail on timing, and they are not part of `npm test`.',
    '',
    `- Command: \`${results.command}\` — started ${results.startedAt}, took ${Math.round(results.durationSeconds)} s.`,
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os};`,
    `  Node ${machine.node}; ${machine.chromium} (headless, the browser suite's launch); commit ${machine.commit}.`,
    `- Load average (1 min): ${machine.loadAtStart} at the start, ${machine.loadAtEnd} at the end — on a`,
    '  shared 2-core machine every timing is noisy; compare figures within this run.',
    '',
    '## Targets',
    '',
    targetsTable(results),
    '',
  ];
  if (Object.keys(results.errors).length > 0) {
    sections.push(
      '**Scenarios that did not run:** ' +
        Object.entries(results.errors)
          .map(([scenario, message]) => `${scenario} (${message})`)
          .join('; '),
      '',
    );
  }
  if (results.streams) sections.push(streamsSection(results.streams), '');
  if (results.failover) sections.push(failoverSection(results.failover, charts), '');
  if (results.relay) sections.push(relaySection(results.relay), '');
  if (results.logout) sections.push(logoutSection(results.logout), '');
  if (results.storm) sections.push(stormSection(results.storm, charts), '');
  if (results.size) sections.push(sizeSection(results.size), '');
  if (results.idle) sections.push(idleSection(results.idle), '');
  if (results.redis) sections.push(redisSection(results.redis), '');
  if (results.hidden) sections.push(hiddenSection(results.hidden), '');
  sections.push(qualitySection(results), '');
  return sections.join('\n');
}
