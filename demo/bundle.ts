/**
 * Bundles a browser entry (a page script that imports tabcast from `src/index.ts`) into ESM, in
 * memory, xstate (and React, for a React page) included. The demo server and the browser test
 * server both serve their page scripts through this, so the browser runs exactly the library's
 * public entry.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';

/** The repository root, so entries can be named relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BundleOptions {
  /** Inline a source map (readable stack traces and devtools, at about 3x the size). @default false */
  sourcemap?: boolean;
}

const COMMON: BuildOptions = {
  absWorkingDir: REPO_ROOT,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'silent',
  // `.tsx` pages use React 17+'s JSX runtime, as tsconfig's `react-jsx` does for tsc.
  jsx: 'automatic',
  // React's production build: a quarter of the development one, so pages load fast.
  define: { 'process.env.NODE_ENV': '"production"' },
  // The bundle runs in a page: nothing of the server companion may leak into it.
  external: ['node:*'],
};

/**
 * Returns the bundled JavaScript of `entry` (a path relative to the repository root), as one file.
 * @example const js = await bundleBrowserModule('test/browser/support/page.ts');
 */
export async function bundleBrowserModule(
  entry: string,
  { sourcemap = false }: BundleOptions = {},
): Promise<string> {
  const result = await build({
    ...COMMON,
    entryPoints: [entry],
    sourcemap: sourcemap ? 'inline' : false,
  });
  const [output] = result.outputFiles ?? [];
  if (!output) throw new Error(`bundleBrowserModule: esbuild produced no output for ${entry}`);
  return output.text;
}

/**
 * Bundles a page's entry with code splitting: what it loads with `import()` becomes a chunk the
 * page fetches only when it needs it (the demo's Stately inspector). Returns every file by its
 * URL path: the entry as `/<name>.js`, the chunks under `/chunks/`, with `sourcemap` each one's
 * `.map` beside it.
 * @example const files = await bundleBrowserPage('demo/client.tsx'); // '/client.js' → its code
 */
export async function bundleBrowserPage(
  entry: string,
  { sourcemap = false }: BundleOptions = {},
): Promise<Map<string, string>> {
  // Only names the files: nothing is written (`write: false`).
  const outdir = `${REPO_ROOT}.page-bundle`;
  const result = await build({
    ...COMMON,
    entryPoints: [entry],
    // Linked, not inline: the browser fetches a `.map` only when devtools are open.
    sourcemap: sourcemap ? 'linked' : false,
    // React 19's react-dom ships unminified (600 kB); minified, the page is a third of that.
    minify: true,
    splitting: true,
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
  });
  const files = new Map<string, string>();
  for (const output of result.outputFiles ?? []) {
    files.set(`/${relative(outdir, output.path).split('\\').join('/')}`, output.text);
  }
  if (files.size === 0)
    throw new Error(`bundleBrowserPage: esbuild produced no output for ${entry}`);
  return files;
}
