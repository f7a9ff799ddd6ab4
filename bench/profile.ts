/**
 * A CPU profile of one tab, as Chrome DevTools records it: the CDP `Profiler` domain, sampling
 * every 100 µs while `during` runs. The `.cpuprofile` written loads in DevTools (Performance →
 * Load profile) or speedscope; the summary is the frames with the most self time, each placed at
 * its source file and line through the page bundle's source map.
 */
import type { Page } from 'playwright-core';

/** The part of a CDP `Profiler.Profile` the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** µs between one sample and the one before it. */
  timeDeltas?: number[];
}

export interface ProfileFrame {
  functionName: string;
  /**
   * `file:line` (1-based) in the sources when the bundle's map knows the frame, else the URL's;
   * for a native function (no URL), `(native)` and the caller it spent the most time under.
   */
  location: string;
  selfMs: number;
  /** Share of the profile's busy time (everything but `(idle)`). */
  percent: number;
}

export interface ProfileSummary {
  /** Sampled time, and the part of it the thread was not idle. */
  totalMs: number;
  busyMs: number;
  frames: ProfileFrame[];
}

/** How often the profiler samples, in µs: fine enough for a burst of a few hundred ms. */
const SAMPLING_INTERVAL_US = 100;

/** Records a CPU profile of `page` while `during` runs. */
export async function recordCpuProfile(page: Page, during: () => Promise<void>) {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await session.send('Profiler.start');
    await during();
    const { profile } = await session.send('Profiler.stop');
    return profile as CpuProfile;
  } finally {
    await session.detach().catch(() => {});
  }
}

/** Original positions of a bundle, from its source map (version 3, as esbuild writes it). */
export class SourceMap {
  /** Per generated line: [generated column, source index, original line] segments, in order. */
  private readonly lines: number[][][] = [];

  private constructor(
    private readonly sources: string[],
    mappings: string,
  ) {
    let source = 0;
    let originalLine = 0;
    for (const line of mappings.split(';')) {
      const segments: number[][] = [];
      let column = 0;
      for (const segment of line.split(',')) {
        if (segment === '') continue;
        const fields = decodeVlq(segment);
        column += fields[0]!;
        if (fields.length >= 4) {
          source += fields[1]!;
          originalLine += fields[2]!;
          segments.push([column, source, originalLine]);
        }
      }
      this.lines.push(segments);
    }
  }

  /** The inline map of an esbuild bundle (`sourcemap: 'inline'`), or null when it has none. */
  static fromInline(bundle: string): SourceMap | null {
    const match = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(
      bundle,
    );
    if (!match) return null;
    const map = JSON.parse(Buffer.from(match[1]!, 'base64').toString('utf8')) as {
      sources: string[];
      mappings: string;
    };
    return new SourceMap(map.sources, map.mappings);
  }

  /** `file:line` (1-based) of a generated position (0-based line and column), or null. */
  locate(line: number, column: number): string | null {
    const segments = this.lines[line];
    if (!segments || segments.length === 0) return null;
    let found = segments[0]!;
    for (const segment of segments) {
      if (segment[0]! > column) break;
      found = segment;
    }
    return `${this.sources[found[1]!]}:${found[2]! + 1}`;
  }
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/**
 * The frames with the most self time: every sample's interval (the time until the next sample,
 * as DevTools counts it) goes to the function on top of the stack; frames of one function at
 * one place are added up.
 */
export function summarizeProfile(
  profile: CpuProfile,
  sourceMap: SourceMap | null,
  top = 15,
): ProfileSummary {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const selfUs = new Map<number, number>();
  for (let index = 0; index < samples.length; index++) {
    const interval = deltas[index + 1] ?? 0;
    selfUs.set(samples[index]!, (selfUs.get(samples[index]!) ?? 0) + interval);
  }
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  const place = (node: CpuProfile['nodes'][number]) => {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const fromMap = url.endsWith('.js') ? sourceMap?.locate(lineNumber, columnNumber) : null;
    const location =
      fromMap ?? (url === '' ? '' : `${url.replace(/^https?:\/\/[^/]+/, '')}:${lineNumber + 1}`);
    return { name: functionName || '(anonymous)', location };
  };
  const byFrame = new Map<
    string,
    { functionName: string; location: string; us: number; callers: Map<string, number> }
  >();
  let totalUs = 0;
  let idleUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const { name, location } = place(node);
    const key = `${name} ${location}`;
    const frame = byFrame.get(key) ?? { functionName: name, location, us: 0, callers: new Map() };
    frame.us += us;
    const parent = nodes.get(parents.get(node.id) ?? -1);
    if (location === '' && parent && parent.callFrame.functionName !== '(root)' && us > 0) {
      const caller = place(parent);
      const callerKey = `${caller.name} ${caller.location}`;
      frame.callers.set(callerKey, (frame.callers.get(callerKey) ?? 0) + us);
    }
    byFrame.set(key, frame);
  }
  const mainCaller = (callers: Map<string, number>) =>
    [...callers].sort((a, b) => b[1] - a[1])[0]?.[0];
  const busyUs = totalUs - idleUs;
  const frames = [...byFrame.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((frame) => ({
      functionName: frame.functionName,
      location:
        frame.location === '' && frame.callers.size > 0
          ? `(native) ← ${mainCaller(frame.callers)}`
          : frame.location,
      selfMs: frame.us / 1000,
      percent: busyUs > 0 ? (100 * frame.us) / busyUs : 0,
    }));
  return { totalMs: totalUs / 1000, busyMs: busyUs / 1000, frames };
}

/** The summary as lines for the terminal. */
export function formatProfile(summary: ProfileSummary, what: string): string[] {
  const width = Math.max(8, ...summary.frames.map((frame) => frame.functionName.length));
  return [
    `${what}: ${summary.busyMs.toFixed(1)} ms busy of ${summary.totalMs.toFixed(1)} ms sampled; ` +
      'top frames by self time:',
    `  ${'self ms'.padStart(8)} ${'%'.padStart(5)}  ${'function'.padEnd(width)}  where`,
    ...summary.frames.map(
      (frame) =>
        `  ${frame.selfMs.toFixed(2).padStart(8)} ${frame.percent.toFixed(1).padStart(5)}  ` +
        `${frame.functionName.padEnd(width)}  ${frame.location}`,
    ),
  ];
}
