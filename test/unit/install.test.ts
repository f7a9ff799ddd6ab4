// @vitest-environment node
// (esbuild's API refuses jsdom's TextEncoder.)
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const readme = readFileSync('README.md', 'utf8');

/** The source of each entry point, as tsup.config.ts builds it. */
const ENTRY_SOURCES: Record<string, string> = {
  tabcast: 'src/index.ts',
  'tabcast/react': 'src/react/index.ts',
  'tabcast/server': 'src/server/index.ts',
  'tabcast/server/redis': 'src/server/redis/index.ts',
  'tabcast/testing': 'test/fakes/index.ts',
};

/**
 * Peers an entry needs though its code imports nothing of them at run time: the app creates the
 * ioredis client it hands `createRedisBroker`, and the entry's types name ioredis's.
 */
const TYPE_ONLY_PEERS: Record<string, string[]> = { 'tabcast/server/redis': ['ioredis'] };

/** The packages the README's "Install" table says an entry point needs installed beside it. */
function peersInReadme(entry: string): string[] {
  const row = readme.split('\n').find((line) => line.startsWith(`| \`${entry}\` |`));
  if (row === undefined) throw new Error(`the README's Install table has no row for ${entry}`);
  const needs = row.split('|')[2]!.trim();
  return needs === 'none' ? [] : [...needs.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}

/**
 * The packages an entry point's built code imports at run time, besides tabcast's own
 * dependencies (npm installs those with it): what a user's bundler or Node must find.
 */
async function importedPackages(source: string): Promise<string[]> {
  const result = await build({
    entryPoints: [source],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    jsx: 'automatic',
    packages: 'external',
    external: ['node:*'],
    logLevel: 'silent',
  });
  const imported = Object.values(result.metafile.outputs).flatMap((output) =>
    output.imports.filter((entry) => entry.external).map((entry) => entry.path),
  );
  const packageName = (path: string) =>
    path.startsWith('node:')
      ? 'node'
      : path
          .split('/')
          .slice(0, path.startsWith('@') ? 2 : 1)
          .join('/');
  const own = new Set(Object.keys(manifest.dependencies ?? {}));
  return [...new Set(imported.map(packageName))].filter((name) => !own.has(name)).sort();
}

describe("the README's Install table", () => {
  it('has a row for every entry point the package exports', () => {
    const exported = Object.keys(manifest.exports).map((key) =>
      key === '.' ? 'tabcast' : `tabcast/${key.slice(2)}`,
    );
    expect(exported.sort()).toEqual(Object.keys(ENTRY_SOURCES).sort());
  });

  it.each(Object.entries(ENTRY_SOURCES))('names what %s imports', async (entry, source) => {
    const typeOnly = TYPE_ONLY_PEERS[entry] ?? [];
    expect(peersInReadme(entry).sort()).toEqual(
      [...(await importedPackages(source)), ...typeOnly].sort(),
    );
    for (const peer of typeOnly) {
      expect(readFileSync(source.replace('index.ts', 'broker.ts'), 'utf8')).toContain(
        `import type { Redis, RedisOptions } from '${peer}';`,
      );
    }
  });

  it('names only peer dependencies, each with its range in package.json', () => {
    for (const entry of Object.keys(ENTRY_SOURCES)) {
      for (const peer of peersInReadme(entry))
        expect(manifest.peerDependencies).toHaveProperty([peer]);
    }
  });

  it('tells users the install line with the required peer', () => {
    expect(readme).toContain('```sh\nnpm install tabcast xstate\n```');
  });
});
