/**
 * The targets of the issues, each declared once, as data: which figure of the flat JSON it
 * judges, its bound (a number, or a baseline of the same run times a factor or plus a margin),
 * the baselines shown beside it, and how the figure is measured. The verdicts of `--json`
 * (`target.<key>`) and the table of docs/benchmarks.md are both read from this list.
 */
import type { FlatValue } from './report.js';

/** `atMost` is ≤, `below` <, `atLeast` ≥. */
export type Comparison = 'atMost' | 'below' | 'atLeast';

export interface Bound {
  comparison: Comparison;
  /** The limit itself; or, with `baseline`, the margin added to it. @default 0 */
  value?: number;
  /** A figure of the same run the limit is made from: `times × baseline + value`. */
  baseline?: { key: string; label: string };
  /** @default 1 */
  times?: number;
}

export interface Target {
  /** The verdict's name in the flat JSON: `target.<key>`. */
  key: string;
  /** What is asked of tabcast, in words; the numbers are the bound's. */
  label: string;
  /** The flat key of the figure judged. */
  figure: string;
  unit: string;
  bound: Bound;
  /** Figures shown beside it: the baselines and what explains a miss. */
  context: { label: string; key: string; unit?: string }[];
  /** How the figure is measured, for the page. */
  measured: string;
}

export const TARGETS: Target[] = [
  {
    key: 'streams.oneStream',
    label: 'streams the server holds for one user, with 1 to 10 tabs',
    figure: 'streams.tabcast.maxOpen',
    unit: '',
    bound: { comparison: 'atMost', value: 1 },
    context: [
      { label: 'one EventSource per tab, 10 tabs', key: 'streams.tabs10.perTab', unit: ' streams' },
      { label: 'tabs hung', key: 'streams.tabs10.perTabHungTabs' },
    ],
    measured:
      'the most streams of the user the server held at once, over runs with 1, 3, 6 and 10 tabs',
  },
  {
    key: 'failover.close',
    label: 'failover gap p95, leader tab closed',
    figure: 'failover.close.p95Ms.tabcast',
    unit: ' ms',
    bound: {
      comparison: 'atMost',
      times: 1.1,
      baseline: { key: 'failover.close.p95Ms.floor', label: "the floor's p95" },
    },
    context: [],
    measured:
      '`page.close()` of the leader → the first event a follower delivers through the new ' +
      "leader's stream; the floor is Web Locks + EventSource + Last-Event-ID by hand",
  },
  {
    key: 'failover.crash',
    label: 'failover gap p95, leader renderer crashed',
    figure: 'failover.crash.p95Ms.tabcast',
    unit: ' ms',
    bound: {
      comparison: 'atMost',
      times: 1.1,
      baseline: { key: 'failover.crash.p95Ms.floor', label: "the floor's p95" },
    },
    context: [],
    measured: 'as for close, the leader killed with CDP `Page.crash` (nothing of it runs)',
  },
  {
    key: 'events.integrity',
    label: 'events lost or duplicated over every failover',
    figure: 'events.lostOrDuplicated',
    unit: '',
    bound: { comparison: 'atMost', value: 0 },
    context: [
      { label: 'published', key: 'events.published' },
      { label: 'floor lost', key: 'events.floor.lost' },
      { label: 'floor duplicated', key: 'events.floor.duplicated' },
    ],
    measured:
      "every tab's delivered ids against those published while it listened, both failover kinds",
  },
  {
    key: 'relay.throughput',
    label: 'relay throughput to 9 followers',
    figure: 'relay.throughput.tabcast',
    unit: ' events/s',
    bound: {
      comparison: 'atLeast',
      times: 1,
      baseline: { key: 'relay.throughput.raw', label: 'raw BroadcastChannel' },
    },
    context: [{ label: 'ratio', key: 'relay.throughput.ratio' }],
    measured:
      "2000 events published at once: the leader's first arrival → the last follower's last " +
      'delivery (median of 3 bursts); raw posts one message per event',
  },
  {
    key: 'relay.leaderCost',
    label: "the leader's main-thread time per relayed event",
    figure: 'relay.leaderMsPerEvent',
    unit: ' ms',
    bound: { comparison: 'atMost', value: 0.05 },
    context: [
      { label: 'raw leader', key: 'relay.leaderCpuMsPerEvent.raw', unit: ' ms' },
      { label: 'tabcast as wall time', key: 'relay.leaderWallMsPerEvent.tabcast', unit: ' ms' },
    ],
    measured:
      "CDP `Performance.getMetrics` of the leader's page: the change of `TaskDuration` over a " +
      "burst, as the main thread's CPU time (`threadTicks`), ÷ the burst's events (median)",
  },
  {
    key: 'relay.latency',
    label: 'relay latency p50, leader → each follower',
    figure: 'relay.p50Ms.tabcast',
    unit: ' ms',
    bound: {
      comparison: 'atMost',
      value: 0.3,
      baseline: { key: 'relay.p50Ms.raw', label: "raw's p50" },
    },
    context: [],
    measured:
      "the leader's EventSource dispatching an event → each follower delivering it, 300 events " +
      'one every 10 ms (2700 samples)',
  },
  {
    key: 'relay.integrity',
    label: 'relayed deliveries lost, reordered or duplicated',
    figure: 'relay.lostReorderedDuplicated.tabcast',
    unit: '',
    bound: { comparison: 'atMost', value: 0 },
    context: [{ label: 'raw', key: 'relay.lostReorderedDuplicated.raw' }],
    measured: "every follower's delivered ids against the published ones, latency run and bursts",
  },
  {
    key: 'logout.p95',
    label: 'logout propagation p95',
    figure: 'logout.p95Ms',
    unit: ' ms',
    bound: { comparison: 'below', value: 100 },
    context: [{ label: 'repetitions that never finished', key: 'logout.failed' }],
    measured: '`logout()` in one of 10 tabs → every tab `signedOut` and 0 streams on the server',
  },
  {
    key: 'storm.peak',
    label: 'reconnect storm: peak planned attempts per 100 ms with full jitter',
    figure: 'storm.plannedPeakPer100ms.full',
    unit: '',
    bound: {
      comparison: 'atMost',
      times: 0.15,
      baseline: { key: 'storm.plannedPeakPer100ms.none', label: 'the peak with no jitter' },
    },
    context: [
      { label: 'full ÷ none', key: 'storm.peakRatio.full' },
      { label: 'as made, full ÷ none', key: 'storm.madePeakRatio.full' },
    ],
    measured:
      '1000 clients (the real connection chart and fetch transport) after a server restart, ' +
      "each planned attempt counted per 100 ms after its client's own cut",
  },
  {
    key: 'size.core',
    label: "`import { createTabcast } from 'tabcast'`, min+gzip, xstate external",
    figure: 'size.core.gzipBytes',
    unit: ' B',
    bound: { comparison: 'atMost', value: 8 * 1024 },
    context: [
      { label: 'with the fetch transport', key: 'size.coreFetch.gzipBytes', unit: ' B' },
      { label: 'nextDelay alone', key: 'size.nextDelay.gzipBytes', unit: ' B' },
      { label: 'broadcast-channel', key: 'size.broadcastChannel.gzipBytes', unit: ' B' },
    ],
    measured:
      'the built package imported by name (exports → dist/index.js), esbuild with splitting, ' +
      'the chunks the page loads gzipped (level 9) one by one',
  },
  {
    key: 'size.nextDelay',
    label: "`import { nextDelay } from 'tabcast'` alone pulls in no chart (min+gzip)",
    figure: 'size.nextDelay.gzipBytes',
    unit: ' B',
    bound: { comparison: 'atMost', value: 2 * 1024 },
    context: [{ label: 'the core', key: 'size.core.gzipBytes', unit: ' B' }],
    measured:
      'as the core: the built package imported by name; the charts are pure (annotated) ' +
      'top-level definitions, so a bundler drops the ones nobody imports',
  },
  {
    key: 'idle.follower',
    label: 'timer wake-ups of an idle follower',
    figure: 'idle.follower.wakeupsPerMin',
    unit: ' per min',
    bound: { comparison: 'atMost', value: 0 },
    context: [{ label: 'leader', key: 'idle.leader.wakeupsPerMin', unit: ' per min' }],
    measured: 'timer callbacks that ran in the tab (an init script counts them) over 30 s',
  },
  {
    key: 'hidden.late',
    label: 'a hidden leader: how late its reconnect attempts are (max)',
    figure: 'hidden.lateMs.max',
    unit: ' ms',
    bound: {
      comparison: 'atMost',
      value: 1000,
      baseline: { key: 'hidden.visible.lateMs.max', label: "the visible leader's max" },
    },
    context: [
      { label: 'p95', key: 'hidden.lateMs.p95', unit: ' ms' },
      { label: 'attempts', key: 'hidden.samples' },
      {
        label: 'control: a hidden chain of 1 s timers woke at most every',
        key: 'hidden.control.chainMaxGapMs',
        unit: ' ms',
      },
    ],
    measured:
      '`npm run bench -- --hidden` only: headed Chromium under Xvfb, the leader behind another ' +
      "tab for over 60 s, the stream refused then hung by a proxy; each attempt's planned " +
      '`retryAt` → the proxy seeing it. The margin is the 1 s grid of any hidden tab',
  },
];

const SYMBOL: Record<Comparison, string> = { atMost: '≤', below: '<', atLeast: '≥' };

const numberAt = (flat: Record<string, FlatValue>, key: string) => {
  const value = flat[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

/** The limit the figure is held to in this run, or null when its baseline was not measured. */
export function limitOf(target: Target, flat: Record<string, FlatValue>): number | null {
  const { bound } = target;
  if (!bound.baseline) return bound.value ?? 0;
  const baseline = numberAt(flat, bound.baseline.key);
  return baseline === null ? null : (bound.times ?? 1) * baseline + (bound.value ?? 0);
}

/** Met, missed, or null when the figure or its baseline was not measured in this run. */
export function verdictOf(target: Target, flat: Record<string, FlatValue>): boolean | null {
  const figure = numberAt(flat, target.figure);
  const limit = limitOf(target, flat);
  if (figure === null || limit === null) return null;
  switch (target.bound.comparison) {
    case 'atMost':
      return figure <= limit;
    case 'below':
      return figure < limit;
    case 'atLeast':
      return figure >= limit;
  }
}

/** Every verdict, as the flat JSON carries them. */
export function verdicts(flat: Record<string, FlatValue>): Record<string, boolean | null> {
  return Object.fromEntries(
    TARGETS.map((target) => [`target.${target.key}`, verdictOf(target, flat)]),
  );
}

const show = (value: number | null, unit: string) =>
  value === null
    ? '—'
    : `${value.toLocaleString('en-US', { maximumFractionDigits: value < 1 ? 4 : 2 })}${unit}`;

/** The bound in words: `≤ 1.1 × the floor's p95 (120 ms) = 132 ms`. */
export function describeBound(target: Target, flat: Record<string, FlatValue>): string {
  const { bound, unit } = target;
  const symbol = SYMBOL[bound.comparison];
  if (!bound.baseline) return `${symbol} ${show(bound.value ?? 0, unit)}`;
  const baseline = numberAt(flat, bound.baseline.key);
  const times = bound.times !== undefined && bound.times !== 1 ? `${bound.times} × ` : '';
  const plus = bound.value ? ` + ${show(bound.value, unit)}` : '';
  const limit = limitOf(target, flat);
  const worked = limit === null ? '' : ` = ${show(limit, unit)}`;
  return `${symbol} ${times}${bound.baseline.label} (${show(baseline, unit)})${plus}${worked}`;
}

/** `label figure, …` of the context figures that were measured. */
export function describeContext(target: Target, flat: Record<string, FlatValue>): string {
  return (
    target.context
      .map((item) => ({ item, value: numberAt(flat, item.key) }))
      .filter(({ value }) => value !== null)
      .map(({ item, value }) => `${item.label} ${show(value, item.unit ?? '')}`)
      .join('; ') || '—'
  );
}

/** The figure as the table shows it. */
export const describeFigure = (target: Target, flat: Record<string, FlatValue>) =>
  show(numberAt(flat, target.figure), target.unit);
