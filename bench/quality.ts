/**
 * The two quality figures the report carries beside the timings (figures, not gates):
 *
 * - model-based state coverage per machine, read from the lines the model tests print
 *   (`coverage connection: 10/10 states (…)`), by running them;
 * - the mutation score, from the summary `npm run test:mutation` leaves in
 *   `bench/results/mutation.json` (a full Stryker run takes far longer than the benchmarks);
 * - the soak's tallies, from the summary `npm run soak -- --record` leaves in
 *   `bench/results/soak.json` (its 1000 trials take about twenty minutes).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../demo/bundle.js';

export interface MachineCoverage {
  machine: string;
  covered: number;
  total: number;
}

export interface ModelCoverage {
  machines: MachineCoverage[];
  command: string;
  /** Why there are no figures, when there are none. */
  problem?: string;
}

const MODEL_COMMAND = 'npx vitest run --project unit test/model';
const COVERAGE_LINE = /coverage (\S+): (\d+)\/(\d+) states/g;

/** Runs the model tests (bounded) and collects their coverage lines. */
export async function measureModelCoverage(timeoutMs = 180_000): Promise<ModelCoverage> {
  const vitest = path.join(REPO_ROOT, 'node_modules', '.bin', 'vitest');
  if (!existsSync(path.join(REPO_ROOT, 'test', 'model'))) {
    return { machines: [], command: MODEL_COMMAND, problem: 'test/model does not exist yet' };
  }
  const output = await new Promise<{ text: string; code: number | null }>((resolve) => {
    const child = spawn(vitest, ['run', '--project', 'unit', 'test/model'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ text, code });
    });
  });
  const machines = new Map<string, MachineCoverage>();
  for (const match of output.text.matchAll(COVERAGE_LINE)) {
    machines.set(match[1]!, {
      machine: match[1]!,
      covered: Number(match[2]),
      total: Number(match[3]),
    });
  }
  const result: ModelCoverage = { machines: [...machines.values()], command: MODEL_COMMAND };
  if (output.code !== 0) result.problem = `the model tests exited with ${output.code}`;
  else if (machines.size === 0) result.problem = 'the model tests printed no coverage line';
  return result;
}

export interface MutationSummary {
  /** Mutation score: killed and timed out among all valid mutants, in %. */
  score: number;
  /** The same among mutants some test covers, in %. */
  coveredScore: number;
  killed: number;
  timedOut: number;
  survived: number;
  noCoverage: number;
  /** Mutants that did not compile or broke the runner: not counted. */
  errors: number;
  /** Per top folder (`machines`, `src`). */
  byFolder: Record<string, { score: number; mutants: number }>;
  byFile: Record<string, { score: number; mutants: number }>;
  mutated: string[];
  commit: string;
  date: string;
  durationMinutes: number;
  /** The command that produced the report (a `--mutate` subset names its files). */
  command: string;
}

export const MUTATION_SUMMARY_PATH = path.join(REPO_ROOT, 'bench', 'results', 'mutation.json');

/** What `npm run soak -- --record` leaves in `bench/results/soak.json`. */
export interface SoakSummary {
  seed: number;
  trials: number;
  commit: string;
  /** When the run started, ISO 8601. */
  date: string;
  durationSeconds: number;
  scenarios: { name: string; title: string; trials: number; violations: number; seconds: number }[];
  /** The command that replays the run. */
  replay: string;
}

export const SOAK_SUMMARY_PATH = path.join(REPO_ROOT, 'bench', 'results', 'soak.json');

/** A summary another command left in bench/results, if it did. */
function readSummary<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export const readMutationSummary = () => readSummary<MutationSummary>(MUTATION_SUMMARY_PATH);
export const readSoakSummary = () => readSummary<SoakSummary>(SOAK_SUMMARY_PATH);
