/**
 * Scenario 6, size: min+gzip bytes of what a page downloads for an import of tabcast, and of the
 * libraries people reach for instead, all measured the same way in the same run.
 *
 * tabcast is measured as a user's bundler sees it: the package as published. The bench builds it
 * with the project's own `tsup.config.ts` (JavaScript only, into a temporary
 * `node_modules/tabcast` beside a copy of package.json), and each figure is one esbuild bundle of
 * a one-line page importing `'tabcast'` — resolved through package.json `exports` to
 * `dist/index.js`, with its `sideEffects: false` — with code splitting (ESM, browser, minified,
 * xstate external, eventsource-parser included). A figure is the sum over the chunks the page
 * loads, each gzipped at level 9 on its own as it is downloaded on its own: the chunks its entry
 * imports statically, and for `coreFetch` also those it imports dynamically (a transport the
 * core loads only when it is used). The sources are not what a user's bundler sees: esbuild drops
 * whole unused modules of `src/` (sideEffects: false), but not the unused top-level chart
 * definitions inside one built file — that is the gap `nextDelay` shows.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import { REPO_ROOT } from '../../demo/bundle.js';

export interface SizeFigure {
  /** What the bundle contains, for the report. */
  label: string;
  minBytes: number;
  gzipBytes: number;
  /** The inputs that weigh most in the minified bundle, heaviest first. */
  heaviest: { file: string; minBytes: number }[];
}

export type SizeKey =
  | 'core'
  | 'coreFetch'
  | 'nextDelay'
  | 'nextDelayWithXstate'
  | 'coreEveryExport'
  | 'react'
  | 'reactWithCore'
  | 'broadcastChannel'
  | 'fetchEventSource'
  | 'eventsource'
  | 'reconnectingEventsource';

interface SizeEntry {
  key: SizeKey;
  label: string;
  /** The page: one module of imports, bundled as the entry. */
  page: string;
  external: string[];
  /** Count the chunks the entry imports with `import()` too. @default false */
  dynamicImports?: boolean;
}

const XSTATE = ['xstate'];
const REACT = ['xstate', '@xstate/react', 'react', 'react/jsx-runtime'];
const CORE_PAGE = "export { createTabcast } from 'tabcast';";
const REACT_PAGE = `${CORE_PAGE}\nexport * from 'tabcast/react';`;

const TABCAST_ENTRIES: SizeEntry[] = [
  {
    key: 'core',
    label:
      "`import { createTabcast } from 'tabcast'`, default transport (static chunks; xstate external)",
    page: CORE_PAGE,
    external: XSTATE,
  },
  {
    key: 'coreFetch',
    label: "the same with `transport: 'fetch'` (static and dynamically imported chunks)",
    page: CORE_PAGE,
    external: XSTATE,
    dynamicImports: true,
  },
  {
    key: 'nextDelay',
    label: "`import { nextDelay } from 'tabcast'` alone (xstate external)",
    page: "export { nextDelay } from 'tabcast';",
    external: XSTATE,
  },
  {
    key: 'nextDelayWithXstate',
    label: 'the same with xstate bundled (how issue 12 measured it)',
    page: "export { nextDelay } from 'tabcast';",
    external: [],
  },
  {
    key: 'coreEveryExport',
    label: "`export * from 'tabcast'`: every export kept (xstate external)",
    page: "export * from 'tabcast';",
    external: XSTATE,
  },
  {
    key: 'reactWithCore',
    label:
      'createTabcast and every export of `tabcast/react` (xstate, @xstate/react, react external)',
    page: REACT_PAGE,
    external: REACT,
  },
];

const OTHER_ENTRIES: SizeEntry[] = [
  {
    key: 'broadcastChannel',
    label: '`broadcast-channel` (leader election + channel, with its dependencies)',
    page: "export * from 'broadcast-channel';",
    external: [],
  },
  {
    key: 'fetchEventSource',
    label: '`@microsoft/fetch-event-source`',
    page: "export * from '@microsoft/fetch-event-source';",
    external: [],
  },
  {
    key: 'eventsource',
    label: '`eventsource`',
    page: "export * from 'eventsource';",
    external: [],
  },
  {
    key: 'reconnectingEventsource',
    label: '`reconnecting-eventsource`',
    page: "export * from 'reconnecting-eventsource';",
    external: [],
  },
];

/** The one module of each build, so splitting (which wants real entry points) can run. */
function pageModule(page: string, resolveDir: string): Plugin {
  return {
    name: 'bench-page',
    setup(builder) {
      builder.onResolve({ filter: /^bench-page$/ }, () => ({ path: 'page', namespace: 'page' }));
      builder.onLoad({ filter: /.*/, namespace: 'page' }, () => ({
        contents: page,
        loader: 'js',
        resolveDir,
      }));
    },
  };
}

/** The outputs the entry's page loads: by static imports, and with `dynamic` by `import()`. */
function reachableOutputs(metafile: Metafile, dynamic: boolean): string[] {
  const outputs = metafile.outputs;
  // A chunk loaded by `import()` is an entry point too: the page's is named by its namespace.
  const entry = Object.keys(outputs).find((file) => outputs[file]!.entryPoint === 'page:page');
  if (entry === undefined) throw new Error('bench: esbuild named no entry output');
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    for (const imported of outputs[queue.pop()!]!.imports) {
      if (imported.external || seen.has(imported.path)) continue;
      if (
        imported.kind !== 'import-statement' &&
        !(dynamic && imported.kind === 'dynamic-import')
      ) {
        continue;
      }
      seen.add(imported.path);
      queue.push(imported.path);
    }
  }
  return [...seen];
}

/** An input as the report names it: the built package as `tabcast/…`, others from the repo. */
const inputName = (file: string) =>
  file.includes(`${path.sep}node_modules${path.sep}tabcast${path.sep}`)
    ? `tabcast/${file.split(`${path.sep}node_modules${path.sep}tabcast${path.sep}`)[1]}`
    : path.relative(REPO_ROOT, file);

async function measure(
  entry: SizeEntry,
  resolveDir: string,
  nodePaths: string[],
  alias: Record<string, string> = {},
): Promise<SizeFigure> {
  const outdir = path.join(resolveDir, 'out');
  const result = await build({
    absWorkingDir: resolveDir,
    entryPoints: ['bench-page'],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outdir,
    write: false,
    logLevel: 'silent',
    jsx: 'automatic',
    external: entry.external,
    nodePaths,
    alias,
    plugins: [pageModule(entry.page, resolveDir)],
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
  });
  const loaded = reachableOutputs(result.metafile, entry.dynamicImports ?? false);
  const files = result.outputFiles.filter((file) =>
    loaded.includes(path.relative(resolveDir, file.path)),
  );
  const inputs = new Map<string, number>();
  for (const output of loaded) {
    for (const [file, { bytesInOutput }] of Object.entries(
      result.metafile.outputs[output]!.inputs,
    )) {
      inputs.set(file, (inputs.get(file) ?? 0) + bytesInOutput);
    }
  }
  return {
    label: entry.label,
    minBytes: files.reduce((sum, file) => sum + file.contents.byteLength, 0),
    gzipBytes: files.reduce(
      (sum, file) => sum + gzipSync(file.contents, { level: 9 }).byteLength,
      0,
    ),
    heaviest: [...inputs]
      .map(([file, minBytes]) => ({ file: inputName(path.resolve(resolveDir, file)), minBytes }))
      .filter((input) => input.minBytes > 0)
      .sort((a, b) => b.minBytes - a.minBytes)
      .slice(0, 5),
  };
}

/**
 * The package as published, built into `directory/node_modules/tabcast`: the project's tsup
 * config, JavaScript only (types change no byte of it), and package.json for `exports` and
 * `sideEffects`.
 */
function buildPackage(directory: string): void {
  const packageDirectory = path.join(directory, 'node_modules', 'tabcast');
  mkdirSync(packageDirectory, { recursive: true });
  copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(packageDirectory, 'package.json'));
  execFileSync(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'tsup'),
    ['--out-dir', path.join(packageDirectory, 'dist'), '--no-dts', '--silent'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/**
 * Every size figure. `react` is what `tabcast/react` adds to a page that has the core already
 * (reactWithCore − core, chunk sums each); an entry that does not exist yet is left out.
 */
export async function measureSizes(): Promise<Partial<Record<SizeKey, SizeFigure>>> {
  const figures: Partial<Record<SizeKey, SizeFigure>> = {};
  const directory = mkdtempSync(path.join(os.tmpdir(), 'tabcast-size-'));
  try {
    buildPackage(directory);
    // The package's own dependencies (eventsource-parser) and the other libraries: the repo's.
    const nodePaths = [path.join(REPO_ROOT, 'node_modules')];
    const hasReact = existsSync(path.join(REPO_ROOT, 'src', 'react', 'index.ts'));
    for (const entry of TABCAST_ENTRIES) {
      if (entry.key === 'reactWithCore' && !hasReact) continue;
      figures[entry.key] = await measure(entry, directory, nodePaths);
    }
    // The built package is one chunk: which sources weigh most is read from the same page
    // bundled from src/ (as heavy for createTabcast, whose modules are all used).
    if (figures.core) {
      const fromSources = await measure(TABCAST_ENTRIES[0]!, directory, nodePaths, {
        tabcast: path.join(REPO_ROOT, 'src', 'index.ts'),
      });
      figures.core.heaviest = fromSources.heaviest;
    }
    const { core, reactWithCore } = figures;
    if (core && reactWithCore) {
      figures.react = {
        label: '`tabcast/react` added to a page that has createTabcast (the difference of the two)',
        minBytes: reactWithCore.minBytes - core.minBytes,
        gzipBytes: reactWithCore.gzipBytes - core.gzipBytes,
        heaviest: [],
      };
    }
    for (const entry of OTHER_ENTRIES) {
      figures[entry.key] = await measure(entry, directory, nodePaths);
    }
    return figures;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
