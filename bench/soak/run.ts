/**
 * `npm run soak`: issue 13's soak — real Chromium tabs against the real companion hub, trial after
 * trial, every random choice drawn from one printed seed. Not part of `npm test`.
 *
 *   npm run soak -- --trials 1000         every scenario 1000 times (a, b, c, d: docs/soak.md)
 *   npm run soak -- --only=b,d --seed=S   some scenarios; the seed of an earlier run replays its
 *                                         choices (which tab, close or crash, every offset)
 *   npm run soak -- --lanes=2             every scenario in two lanes side by side (by default
 *                                         each has its own count: b and c two, a one, d one per kind)
 *   npm run soak -- --self-check          every trial injects a fault its detector must catch;
 *                                         exits 0 only if each one was caught
 *   npm run soak -- --record              also writes the tallies to bench/results/soak.json,
 *                                         which docs/benchmarks.md shows (`npm run bench`)
 *
 * Progress goes to stderr, the summary to stdout; the exit code is 1 on any violation.
 */
import { execSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { bundleBrowserModule, REPO_ROOT } from '../../demo/bundle.js';
import { TestChromium } from '../../test/browser/support/browser.js';
import { seededRandom } from '../../test/fakes/random.js';
import { SOAK_SUMMARY_PATH, type SoakSummary } from '../quality.js';
import { median, p95 } from '../stats.js';
import type { Lane, SoakEnvironment, Trial } from './lane.js';
import { type LaneKind, SCENARIOS, type Scenario } from './scenarios/index.js';

const PROGRESS_EVERY_MS = 10_000;

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (index < 0) return undefined;
  return args[index]!.includes('=') ? args[index]!.split('=')[1] : args[index + 1];
};
const count = (name: string, fallback: number): number => {
  const value = Number(option(name) ?? fallback);
  if (!Number.isInteger(value) || value < 1) usage(`--${name} takes a whole number above 0`);
  return value;
};
function usage(problem: string): never {
  console.error(`soak: ${problem}`);
  process.exit(2);
}

const trials = count('trials', 10);
const lanes = option('lanes') === undefined ? undefined : count('lanes', 1);
const selfCheck = args.includes('--self-check');
const record = args.includes('--record');
if (record && selfCheck) usage('--record keeps real runs only, not --self-check');
const only = option('only')?.split(',');
const unknown = only?.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
if (unknown?.length) usage(`unknown scenario ${unknown.join(', ')}; known: a, b, c, d`);
const seedOption = option('seed');
const seed = seedOption === undefined ? randomInt(2 ** 32) : Number(seedOption);
if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) usage('--seed takes 0 … 2^32-1');
const selected = SCENARIOS.filter((scenario) => !only || only.includes(scenario.name));

const replay =
  `npm run soak -- --seed=${seed} --trials ${trials}` +
  (only ? ` --only=${only.join(',')}` : '') +
  (lanes === undefined ? '' : ` --lanes=${lanes}`) +
  (selfCheck ? ' --self-check' : '');

interface Violation {
  scenario: string;
  trial: number;
  message: string;
}

interface Tally {
  scenario: Scenario;
  done: number;
  /** Trials with at least one violation. */
  failedTrials: Set<number>;
  startedAt: number;
  finishedAt?: number;
  /** Every value each measurement took. */
  observed: Map<string, number[]>;
}

const started = Date.now();
const violations: Violation[] = [];
const tallies = new Map<string, Tally>(
  selected.map((scenario) => [
    scenario.name,
    { scenario, done: 0, failedTrials: new Set(), startedAt: started, observed: new Map() },
  ]),
);

const elapsed = (since: number, until = Date.now()) => {
  const seconds = Math.round((until - since) / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
};
const log = (line: string) => console.error(`[soak ${elapsed(started).padStart(12)}] ${line}`);

/** A trial's random source: the run's seed, mixed with the scenario and the trial number. */
function trialRandom(scenario: string, number: number): () => number {
  const mixed =
    seed ^ Math.imul(number, 0x9e3779b1) ^ Math.imul(scenario.charCodeAt(0), 0x85ebca77);
  return seededRandom(mixed >>> 0);
}

function newTrial(tally: Tally, number: number): Trial {
  const scenario = tally.scenario.name;
  return {
    number,
    random: trialRandom(scenario, number),
    fail(message) {
      violations.push({ scenario, trial: number, message });
      tally.failedTrials.add(number);
      log(`violation: ${scenario} trial ${number} (seed ${seed}): ${message}`);
    },
    observe(name, value) {
      const values = tally.observed.get(name) ?? [];
      values.push(value);
      tally.observed.set(name, values);
    },
  };
}

/**
 * Runs `numbers` one after the other in a lane of `kind`. A trial that throws is a violation
 * (what it waited for never happened); its lane is closed and a fresh one opened for the next.
 */
async function runLane(
  environment: SoakEnvironment,
  tally: Tally,
  kind: LaneKind,
  name: string,
  numbers: readonly number[],
): Promise<void> {
  let lane: Lane | undefined;
  const closeLane = async (trial: Trial) => {
    await lane?.close().catch((error: Error) => trial.fail(`lane did not close: ${error.message}`));
    lane = undefined;
  };
  let trial: Trial | undefined;
  for (const number of numbers) {
    trial = newTrial(tally, number);
    try {
      lane ??= await kind.open(environment, name);
      await lane.run(trial);
    } catch (error) {
      trial.fail(`trial stopped: ${(error as Error).message.split('\n')[0]!.slice(0, 300)}`);
      await closeLane(trial);
    }
    tally.done += 1;
  }
  if (trial) await closeLane(trial);
}

/** Trial `n` of a scenario runs in kind `(n - 1) mod kinds`, and its lanes take turns. */
function runScenario(environment: SoakEnvironment, tally: Tally): Promise<void> {
  const { kinds } = tally.scenario;
  const count = lanes ?? tally.scenario.lanes;
  const queues = kinds.map(() => Array.from({ length: count }, (): number[] => []));
  for (let number = 1; number <= trials; number++) {
    const kind = (number - 1) % kinds.length;
    queues[kind]![Math.floor((number - 1) / kinds.length) % count]!.push(number);
  }
  return Promise.all(
    kinds.flatMap((kind, index) =>
      queues[index]!.filter((queue) => queue.length > 0).map((queue, lane) =>
        runLane(environment, tally, kind, `${kind.label}-${lane + 1}`, queue),
      ),
    ),
  ).then(() => {
    tally.finishedAt = Date.now();
    log(`${tally.scenario.name} done: ${tally.done} trials in ${elapsed(tally.startedAt)}`);
  });
}

function progressLine(): string {
  return [...tallies.values()]
    .map(({ scenario, done, failedTrials }) => {
      const failed = failedTrials.size > 0 ? ` (${failedTrials.size} failed)` : '';
      return `${scenario.name} ${done}/${trials}${failed}`;
    })
    .join(' · ');
}

function commit(): string {
  try {
    const hash = execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT }).toString().trim();
    const dirty = execSync('git status --porcelain', { cwd: REPO_ROOT }).toString().trim();
    return dirty === '' ? hash : `${hash} with uncommitted changes`;
  } catch {
    return 'unknown';
  }
}

const violationsOf = (tally: Tally) =>
  violations.filter((violation) => violation.scenario === tally.scenario.name);

function summary(): string {
  const lines = [
    `soak: seed ${seed}, ${trials} trials per scenario, lanes per kind ` +
      [...tallies.values()]
        .map(({ scenario }) => `${scenario.name} ${lanes ?? scenario.lanes}`)
        .join(' ') +
      `, ` +
      `${elapsed(started)}, commit ${commit()}, ${new Date(started).toISOString()}`,
    '',
    '| scenario | what it asserts | trials | violations | time |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const tally of tallies.values()) {
    lines.push(
      `| ${tally.scenario.name} | ${tally.scenario.title} | ${tally.done} | ` +
        `${violationsOf(tally).length} | ` +
        `${elapsed(tally.startedAt, tally.finishedAt)} |`,
    );
  }
  for (const tally of tallies.values()) {
    for (const [name, values] of tally.observed) {
      lines.push(
        `${tally.scenario.name}: ${name}: ${values.length} seen, min ${Math.min(...values)}, ` +
          `median ${median(values)}, p95 ${p95(values)}, max ${Math.max(...values)}`,
      );
    }
  }
  if (violations.length > 0) {
    lines.push('', 'violations:');
    for (const { scenario, trial, message } of violations) {
      lines.push(`  ${scenario} trial ${trial} (seed ${seed}): ${message}`);
    }
  }
  if (selfCheck) {
    for (const tally of tallies.values()) {
      const missed = tally.done - tally.failedTrials.size;
      lines.push(
        `self-check ${tally.scenario.name}: ${tally.failedTrials.size} of ${tally.done} injected faults caught` +
          (missed > 0 ? ` — ${missed} MISSED` : ''),
      );
    }
  }
  lines.push('', `replay: ${replay}`);
  return lines.join('\n');
}

log(`seed ${seed}: ${selected.map((scenario) => scenario.name).join(', ')} × ${trials} trials`);
log(`replay: ${replay}`);
const environment: SoakEnvironment = {
  chromium: await TestChromium.launch(),
  pageBundle: await bundleBrowserModule('test/browser/support/page.ts'),
  selfCheck,
};
const progress = setInterval(() => log(progressLine()), PROGRESS_EVERY_MS);
try {
  await Promise.all([...tallies.values()].map((tally) => runScenario(environment, tally)));
} finally {
  clearInterval(progress);
  await environment.chromium.close();
}
console.log(summary());
if (record) {
  const soak: SoakSummary = {
    seed,
    trials,
    commit: commit(),
    date: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    scenarios: [...tallies.values()].map((tally) => ({
      name: tally.scenario.name,
      title: tally.scenario.title,
      trials: tally.done,
      violations: violationsOf(tally).length,
      seconds: Math.round(((tally.finishedAt ?? Date.now()) - tally.startedAt) / 1000),
    })),
    replay,
  };
  writeFileSync(SOAK_SUMMARY_PATH, `${JSON.stringify(soak, null, 2)}\n`);
  log(`wrote ${SOAK_SUMMARY_PATH}`);
}
const passed = selfCheck
  ? [...tallies.values()].every((tally) => tally.failedTrials.size === tally.done)
  : violations.length === 0;
process.exitCode = passed ? 0 : 1;
