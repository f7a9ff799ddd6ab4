/**
 * After `stryker run` (the first half of `npm run test:mutation`): reads Stryker's JSON report
 * and keeps the few figures the benchmarks page shows in `bench/results/mutation.json`, which is
 * committed (the report itself is not).
 *
 * `tsx bench/mutation-summary.ts [report.json] [--minutes N] [--commit SHA] [--command TEXT]` —
 * the commit defaults to HEAD (name it when the report comes from another checkout), the
 * command to `npm run test:mutation` (name it when only some files were mutated).
 *
 * `tsx bench/mutation-summary.ts --run [stryker options]` (what `npm run test:mutation` runs)
 * runs `stryker run` with the options after `--run` first and times it: an incremental run
 * retests only what changed, so its minutes are those of that run, not of one from nothing
 * (`npm run test:mutation -- --force`).
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../demo/bundle.js';
import { MUTATION_SUMMARY_PATH, type MutationSummary } from './quality.js';

interface StrykerReport {
  files: Record<string, { mutants: { status: string }[] }>;
}

const argv = process.argv.slice(2);
const runIndex = argv.indexOf('--run');
const args = runIndex >= 0 ? argv.slice(0, runIndex) : argv;
let runMinutes: number | undefined;
if (runIndex >= 0) {
  const strykerArgs = argv.slice(runIndex + 1);
  const started = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', ...strykerArgs], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  runMinutes = Math.round((Date.now() - started) / 6_000) / 10;
  if (strykerArgs.length > 0)
    args.push('--command', `npm run test:mutation -- ${strykerArgs.join(' ')}`);
}
const flagValue = (flag: string) => {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
};
const flagValues = new Set(
  ['--minutes', '--commit', '--command'].map((flag) => args.indexOf(flag) + 1),
);
const minutes = runMinutes ?? Number(flagValue('--minutes') ?? Number.NaN);
const reportPath =
  args.find((arg, index) => !arg.startsWith('--') && !flagValues.has(index)) ??
  path.join(REPO_ROOT, 'reports', 'mutation', 'mutation.json');
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as StrykerReport;

const count = { killed: 0, timedOut: 0, survived: 0, noCoverage: 0, errors: 0 };
const folders = new Map<string, { detected: number; valid: number }>();
const files = new Map<string, { detected: number; valid: number }>();
for (const [file, { mutants }] of Object.entries(report.files)) {
  const folder = file.split('/')[0]!;
  const tally = folders.get(folder) ?? { detected: 0, valid: 0 };
  const fileTally = { detected: 0, valid: 0 };
  for (const { status } of mutants) {
    if (status === 'Killed') count.killed += 1;
    else if (status === 'Timeout') count.timedOut += 1;
    else if (status === 'Survived') count.survived += 1;
    else if (status === 'NoCoverage') count.noCoverage += 1;
    else if (status === 'CompileError' || status === 'RuntimeError') count.errors += 1;
    const detected = status === 'Killed' || status === 'Timeout';
    const valid = detected || status === 'Survived' || status === 'NoCoverage';
    tally.detected += detected ? 1 : 0;
    tally.valid += valid ? 1 : 0;
    fileTally.detected += detected ? 1 : 0;
    fileTally.valid += valid ? 1 : 0;
  }
  folders.set(folder, tally);
  files.set(file, fileTally);
}
const detected = count.killed + count.timedOut;
const percent = (part: number, whole: number) =>
  whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;

const summary: MutationSummary = {
  score: percent(detected, detected + count.survived + count.noCoverage),
  coveredScore: percent(detected, detected + count.survived),
  ...count,
  byFolder: Object.fromEntries(
    [...folders].map(([folder, tally]) => [
      folder,
      { score: percent(tally.detected, tally.valid), mutants: tally.valid },
    ]),
  ),
  byFile: Object.fromEntries(
    [...files].map(([file, tally]) => [
      file,
      { score: percent(tally.detected, tally.valid), mutants: tally.valid },
    ]),
  ),
  mutated: Object.keys(report.files).sort(),
  commit:
    flagValue('--commit') ??
    execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT }).toString().trim(),
  date: new Date().toISOString().slice(0, 10),
  durationMinutes: minutes,
  command: flagValue('--command') ?? 'npm run test:mutation',
};
mkdirSync(path.dirname(MUTATION_SUMMARY_PATH), { recursive: true });
writeFileSync(MUTATION_SUMMARY_PATH, `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `mutation score ${summary.score}% (${detected} of ${detected + count.survived + count.noCoverage}` +
    ` mutants detected) → ${path.relative(REPO_ROOT, MUTATION_SUMMARY_PATH)}`,
);
