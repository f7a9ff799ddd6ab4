/**
 * Bundles a browser entry (a page script that imports tabcast from `src/index.ts`) into one ESM
 * file, xstate included, in memory. The demo server and the browser test server both serve
 * their page scripts through this, so the browser runs exactly the library's public entry.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository root, so entries can be named relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BundleOptions {
  /** Inline a source map (readable stack traces and devtools, at about 3x the size). @default false */
  sourcemap?: boolean;
}

/**
 * Returns the bundled JavaScript of `entry` (a path relative to the repository root).
 * @example const js = await bundleBrowserModule('demo/client.ts', { sourcemap: true });
 */
export async function bundleBrowserModule(
  entry: string,
  { sourcemap = false }: BundleOptions = {},
): Promise<string> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    sourcemap: sourcemap ? 'inline' : false,
    logLevel: 'silent',
    // The bundle runs in a page: nothing of the server companion may leak into it.
    external: ['node:*'],
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`bundleBrowserModule: esbuild produced no output for ${entry}`);
  return output.text;
}
