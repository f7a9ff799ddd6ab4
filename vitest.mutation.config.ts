/**
 * The `unit` project of `vitest.config.ts` alone, for Stryker (`npm run test:mutation`): the
 * mutants are judged by the fast in-process tests, never by the browser or server suites.
 *
 * Stryker runs the tests of every mutant anew, in a new worker, so what a run sets up counts as
 * much as the tests:
 * - only the tests that need a DOM (React, and the README's drop-in with its relative URL) run
 *   under jsdom (`unit-dom`); the rest need nothing Node 20 lacks and run under `node`. Loading
 *   jsdom took seconds on the shared machine, many times the tests a mutant needs;
 * - `isolate: false` sets each environment up once per run, not per file (the tests inject
 *   their world and patch no globals, so nothing leaks from one file to the next).
 *
 * A mutant costs the time of the tests that cover it until one fails, and a surviving one all of
 * them, so two more things keep a run short:
 * - the file that killed the last mutant runs first, then the others fastest first (vitest's own
 *   order is slowest first): most mutants die in a unit test long before the simulation would
 *   have reached them;
 * - the simulation (test/sim/multi-tab.sim.test.ts) plays 30 random worlds per mode rather than
 *   150 (`FC_RUNS` overrides): it covers nearly every line of the charts, so each survivor paid
 *   for all 150, five times the rest of the suite together.
 *
 * And a test file that cannot load counts as a failed test (`UnloadableFileFails`), or a mutant
 * that breaks a chart as it is built would count as survived.
 */
import { relative } from 'node:path';
import type { RunnerTestCase, RunnerTestFile } from 'vitest';
import { configDefaults, defineConfig, type ViteUserConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification, type Vitest } from 'vitest/node';
import config from './vitest.config';

type ProjectConfig = { test?: NonNullable<ViteUserConfig['test']> };

const unit = (config.test?.projects ?? []).find(
  (project): project is ProjectConfig =>
    typeof project === 'object' && (project as ProjectConfig).test?.name === 'unit',
);
if (!unit?.test)
  throw new Error('vitest.mutation.config.ts: no `unit` project in vitest.config.ts');

/**
 * A file that just failed first (it killed the last mutant, most likely a neighbour of this
 * one), then the fastest: by the time each file took when first seen, as a later run under a
 * test-name filter or a bail records less than the file takes.
 */
class KillerFirstSequencer extends BaseSequencer {
  readonly #durations = new Map<string, number>();

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const key = (file: TestSpecification) =>
      `${file.project.name}:${relative(this.ctx.config.root, file.moduleId)}`;
    const last = (file: TestSpecification) => this.ctx.cache.getFileTestResults(key(file));
    for (const file of files) {
      const duration = last(file)?.duration;
      if (duration !== undefined && !this.#durations.has(key(file))) {
        this.#durations.set(key(file), duration);
      }
    }
    const rank = (file: TestSpecification) => (last(file)?.failed ? 0 : 1);
    const duration = (file: TestSpecification) => this.#durations.get(key(file)) ?? -1;
    return [...files].sort((a, b) => rank(a) - rank(b) || duration(a) - duration(b));
  }
}

/**
 * A test file that cannot load (a mutant that breaks a chart as it is built) holds no test, and
 * Stryker's vitest runner scores a run in which no test failed as survived: such a file gets one
 * failed test that carries its load error, so the mutant counts as killed.
 */
class UnloadableFileFails {
  #files: () => RunnerTestFile[] = () => [];

  onInit(vitest: Vitest) {
    // `state` is what Stryker itself reads the results from.
    const { state } = vitest as unknown as { state: { getFiles(): RunnerTestFile[] } };
    this.#files = () => state.getFiles();
  }

  onTestRunEnd() {
    for (const file of this.#files()) {
      if (file.result?.state !== 'fail' || file.tasks.length > 0) continue;
      const loads = {
        type: 'test',
        name: 'loads',
        id: `${file.id}_loads`,
        mode: 'run',
        file,
        suite: file,
        meta: {},
        result: { state: 'fail', errors: file.result.errors ?? [] },
      };
      // Only the fields Stryker reads: the test never ran, vitest made no context for it.
      file.tasks.push(loads as unknown as RunnerTestCase);
    }
  }
}

/** The unit tests that need a DOM. */
const DOM_TESTS = ['test/react/**/*.test.tsx', 'test/unit/readme.test.ts'];

const shared = {
  ...unit.test,
  isolate: false,
  env: { FC_RUNS: process.env.FC_RUNS ?? '30' },
};

export default defineConfig({
  test: {
    sequence: { sequencer: KillerFirstSequencer },
    reporters: ['default', new UnloadableFileFails()],
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          environment: 'node',
          exclude: [...configDefaults.exclude, ...DOM_TESTS],
        },
      },
      { test: { ...shared, name: 'unit-dom', include: DOM_TESTS } },
    ],
  },
});
