/**
 * Scenario 6, size: min+gzip bytes of tabcast's entries and of the libraries people reach for
 * instead, all measured the same way in the same run — one esbuild bundle (ESM, browser,
 * minified, every export kept) gzipped at level 9.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
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
  | 'react'
  | 'reactWithCore'
  | 'broadcastChannel'
  | 'fetchEventSource'
  | 'eventsource'
  | 'reconnectingEventsource';

interface SizeEntry {
  key: SizeKey;
  label: string;
  /** The module whose every export is bundled. */
  module: string;
  external: string[];
  /** Imports leaving `src/react/` for the core stay out of the adapter's own figure. */
  adapterOnly?: boolean;
}

const REACT_ENTRY = 'src/react/index.ts';

const ENTRIES: SizeEntry[] = [
  {
    key: 'core',
    label: '`tabcast` (src/index.ts; xstate external, eventsource-parser included)',
    module: './src/index.ts',
    external: ['xstate'],
  },
  {
    key: 'react',
    label: '`tabcast/react` alone (the core, xstate, @xstate/react and react external)',
    module: `./${REACT_ENTRY}`,
    external: ['xstate', '@xstate/react', 'react', 'react/jsx-runtime'],
    adapterOnly: true,
  },
  {
    key: 'reactWithCore',
    label: '`tabcast/react` with the core it imports (xstate, @xstate/react, react external)',
    module: `./${REACT_ENTRY}`,
    external: ['xstate', '@xstate/react', 'react', 'react/jsx-runtime'],
  },
  {
    key: 'broadcastChannel',
    label: '`broadcast-channel` (leader election + channel, with its dependencies)',
    module: 'broadcast-channel',
    external: [],
  },
  {
    key: 'fetchEventSource',
    label: '`@microsoft/fetch-event-source`',
    module: '@microsoft/fetch-event-source',
    external: [],
  },
  { key: 'eventsource', label: '`eventsource`', module: 'eventsource', external: [] },
  {
    key: 'reconnectingEventsource',
    label: '`reconnecting-eventsource`',
    module: 'reconnecting-eventsource',
    external: [],
  },
];

/** Marks every relative import that leaves `src/react/` external: the core is counted apart. */
function coreExternal(): Plugin {
  const adapterDirectory = path.join(REPO_ROOT, 'src', 'react');
  return {
    name: 'core-external',
    setup(builder) {
      builder.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer.startsWith(adapterDirectory)) return undefined;
        const target = path.resolve(args.resolveDir, args.path);
        return target.startsWith(adapterDirectory + path.sep)
          ? undefined
          : { path: args.path, external: true };
      });
    },
  };
}

async function measure(entry: SizeEntry): Promise<SizeFigure> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    stdin: {
      contents: `export * from ${JSON.stringify(entry.module)};`,
      resolveDir: REPO_ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    jsx: 'automatic',
    external: entry.external,
    plugins: entry.adapterOnly ? [coreExternal()] : [],
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
  });
  const code = result.outputFiles[0]!.contents;
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const heaviest = Object.entries(inputs)
    .map(([file, { bytesInOutput }]) => ({ file, minBytes: bytesInOutput }))
    .filter((input) => input.minBytes > 0)
    .sort((a, b) => b.minBytes - a.minBytes)
    .slice(0, 5);
  return {
    label: entry.label,
    minBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    heaviest,
  };
}

/** Every size figure; an entry that does not exist yet (the React adapter) is left out. */
export async function measureSizes(): Promise<Partial<Record<SizeKey, SizeFigure>>> {
  const figures: Partial<Record<SizeKey, SizeFigure>> = {};
  for (const entry of ENTRIES) {
    if (entry.module.startsWith('./') && !existsSync(path.join(REPO_ROOT, entry.module))) continue;
    figures[entry.key] = await measure(entry);
  }
  return figures;
}
