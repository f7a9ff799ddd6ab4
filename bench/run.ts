/**
 * `npm run bench`: every benchmark of tabcast against its baseline, in one run, on this machine.
 *
 *   npm run bench                  writes docs/benchmarks.md (+ its two SVG charts)
 *   npm run bench -- --json        prints one flat JSON object on stdout instead
 *   npm run bench -- --only=storm,size   runs some scenarios (streams, failover, relay, logout,
 *                                  storm, size, idle, redis, model, hidden)
 *   npm run bench -- --hidden      runs the hidden-leader scenario alone (about 8 minutes; headed
 *                                  Chromium under Xvfb: apt-get install -y xvfb); with --only,
 *                                  beside those
 *   npm run bench -- --raw=FILE    also keeps every sample (not only the figures) in FILE
 *   npm run bench -- --only=relay --profile=FILE
 *                                  also writes a CPU profile (.cpuprofile) of the tabcast relay
 *                                  leader over one burst to FILE and prints its top frames
 *   npm run bench -- --render=FILE re-renders docs/benchmarks.md from such a FILE, measuring nothing;
 *                                  --render=FILE,FILE2 from several (a run and a --hidden run),
 *                                  each scenario from the last file that has it
 *
 * Progress goes to stderr. Benchmarks report: a slow figure never fails the run; a scenario that
 * cannot run at all (no Chromium, say) is reported and makes the exit code 1.
 */
import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../demo/bundle.js';
import { CHROMIUM_PATH } from '../test/browser/support/browser.js';
import { TestChromium } from './browser.js';
import { measureModelCoverage, readMutationSummary, readSoakSummary } from './quality.js';
import {
  type BenchResults,
  failoverChart,
  flatten,
  type MachineInfo,
  mergeResults,
  renderMarkdown,
  stormChart,
} from './report.js';
import { runFailover } from './scenarios/failover.js';
import { runHidden } from './scenarios/hidden.js';
import { runIdle } from './scenarios/idle.js';
import { runLogout } from './scenarios/logout.js';
import { runRedisScenario } from './scenarios/redis.js';
import { runRelay } from './scenarios/relay.js';
import { measureSizes } from './scenarios/size.js';
import { runStorm } from './scenarios/storm.js';
import { runStreams } from './scenarios/streams.js';

/** Repetitions, chosen so `--json` stays well under 10 minutes on a 2-core machine. */
const FAILOVER_REPETITIONS = 30;
const LOGOUT_REPETITIONS = 20;
const IDLE = { windowMs: 30_000, settleMs: 6_000 };
const STORM_CLIENTS = 1000;

const SCENARIOS = [
  'size',
  'storm',
  'streams',
  'failover',
  'relay',
  'logout',
  'idle',
  'redis',
  'model',
  'hidden',
] as const;
type Scenario = (typeof SCENARIOS)[number];
const BROWSER_SCENARIOS: Scenario[] = ['streams', 'failover', 'relay', 'logout', 'idle', 'redis'];

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string) =>
  args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const rawPath = option('raw');
const renderPath = option('render');
const profilePath = option('profile');
const only = renderPath === undefined ? option('only')?.split(',') : [];
const unknown = only?.filter((name) => !SCENARIOS.includes(name as Scenario)) ?? [];
if (unknown.length > 0) {
  console.error(`bench: unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
// The hidden leader takes minutes of waiting: it runs when asked for, never by default.
const hidden = args.includes('--hidden') && renderPath === undefined;
const selected = SCENARIOS.filter((name) =>
  only || hidden ? only?.includes(name) || (hidden && name === 'hidden') : name !== 'hidden',
);

const started = Date.now();
const log = (line: string) => {
  const seconds = Math.round((Date.now() - started) / 1000);
  console.error(`[bench ${String(seconds).padStart(3)} s] ${line}`);
};

/** The command as a reader would repeat it: where the raw samples were kept is no part of it. */
function commandLine(): string {
  const shown = args.filter((arg) => !arg.startsWith('--raw=') && !arg.startsWith('--profile='));
  return `npm run bench${shown.length > 0 ? ` -- ${shown.join(' ')}` : ''}`;
}

function describeMachine(): MachineInfo {
  const read = (run: () => string) => {
    try {
      return run().trim();
    } catch {
      return 'unknown';
    }
  };
  const commit = read(() => execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT }).toString());
  const dirty = read(() => execSync('git status --porcelain', { cwd: REPO_ROOT }).toString());
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    chromium: read(() =>
      execFileSync(CHROMIUM_PATH, ['--version'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      }).toString(),
    ),
    loadAtStart: Math.round(os.loadavg()[0]! * 100) / 100,
    loadAtEnd: 0,
    commit: dirty === '' || dirty === 'unknown' ? commit : `${commit} with uncommitted changes`,
  };
}

const results: BenchResults = {
  startedAt: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
  durationSeconds: 0,
  command: commandLine(),
  machine: describeMachine(),
  errors: {},
};

/** Runs one scenario; a failure is recorded and the others still run. */
async function attempt(name: Scenario, run: () => Promise<void>): Promise<void> {
  if (!selected.includes(name)) return;
  log(`${name}…`);
  try {
    await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.errors[name] = message.split('\n')[0]!;
    log(`${name} did not run: ${message}`);
  }
}

await attempt('size', async () => {
  results.size = await measureSizes();
});
await attempt('storm', async () => {
  results.storm = await runStorm({ clients: STORM_CLIENTS, log });
});

if (selected.some((name) => BROWSER_SCENARIOS.includes(name))) {
  let chromium: TestChromium | undefined;
  try {
    chromium = await TestChromium.launch();
  } catch (error) {
    for (const name of BROWSER_SCENARIOS) {
      if (selected.includes(name)) {
        results.errors[name] = `Chromium did not start: ${(error as Error).message.split('\n')[0]}`;
      }
    }
  }
  if (chromium) {
    const browser = chromium;
    try {
      await attempt('streams', async () => {
        results.streams = await runStreams(browser, log);
      });
      await attempt('failover', async () => {
        results.failover = await runFailover(browser, FAILOVER_REPETITIONS, log);
      });
      await attempt('relay', async () => {
        results.relay = await runRelay(browser, { log, profilePath });
      });
      await attempt('logout', async () => {
        results.logout = await runLogout(browser, LOGOUT_REPETITIONS, log);
      });
      await attempt('idle', async () => {
        results.idle = await runIdle(browser, IDLE);
      });
      await attempt('redis', async () => {
        results.redis = await runRedisScenario(browser, log);
      });
    } finally {
      await browser.close();
    }
  }
}

await attempt('hidden', async () => {
  results.hidden = await runHidden({ log });
});
await attempt('model', async () => {
  results.modelCoverage = await measureModelCoverage();
});
results.mutation = readMutationSummary();
results.durationSeconds = (Date.now() - started) / 1000;
results.machine.loadAtEnd = Math.round(os.loadavg()[0]! * 100) / 100;

const measured: BenchResults =
  renderPath === undefined
    ? results
    : mergeResults(
        renderPath.split(',').map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResults),
      );
// A summary written since (by `npm run test:mutation`, `npm run soak -- --record`) is the one to show.
measured.mutation = readMutationSummary() ?? measured.mutation;
measured.soak = readSoakSummary() ?? measured.soak;
if (rawPath !== undefined) writeFileSync(rawPath, `${JSON.stringify(measured)}\n`);

if (json) {
  process.stdout.write(`${JSON.stringify(flatten(measured), null, 2)}\n`);
} else {
  const docs = path.join(REPO_ROOT, 'docs');
  const chartDirectory = path.join(docs, 'benchmarks');
  mkdirSync(chartDirectory, { recursive: true });
  const charts = { stormPath: 'benchmarks/storm.svg', failoverPath: 'benchmarks/failover.svg' };
  if (measured.storm) writeFileSync(path.join(docs, charts.stormPath), stormChart(measured.storm));
  if (measured.failover) {
    writeFileSync(path.join(docs, charts.failoverPath), failoverChart(measured.failover.runs));
  }
  writeFileSync(path.join(docs, 'benchmarks.md'), renderMarkdown(measured, charts));
  log(
    `wrote docs/benchmarks.md${renderPath === undefined ? ` in ${Math.round(measured.durationSeconds)} s` : ''}`,
  );
}
process.exitCode = Object.keys(measured.errors).length > 0 ? 1 : 0;
