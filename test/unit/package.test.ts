import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface PackedFile {
  path: string;
}

/** What `npm publish` would upload, from npm itself (no build needed: `dist/` may be absent). */
function packedPaths(): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [pack] = JSON.parse(output) as [{ files: PackedFile[] }];
  return pack.files.map((file) => file.path);
}

function topFolder(path: string): string {
  return path.slice(0, path.indexOf('/'));
}

describe('the published package', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));

  it('says where it comes from, so npm links to the repository and its issues', () => {
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/tabcast/tabcast.git',
    });
    expect(manifest.homepage).toBe('https://github.com/tabcast/tabcast#readme');
    expect(manifest.bugs).toEqual({ url: 'https://github.com/tabcast/tabcast/issues' });
  });

  it('ships the MIT license text with its copyright line', () => {
    const license = readFileSync('LICENSE', 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the tabcast authors\n/);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });

  it('holds the license, the readme and the code, and nothing else of the repository', () => {
    const paths = packedPaths();
    expect(paths.filter((path) => !path.includes('/')).sort()).toEqual([
      'LICENSE',
      'README.md',
      'package.json',
    ]);
    // tabcast/testing ships as dist/testing.*, built from test/fakes: the test sources stay out.
    const folders = new Set(paths.filter((path) => path.includes('/')).map(topFolder));
    expect([...folders].sort()).toEqual(expect.arrayContaining(['machines', 'src']));
    expect([...folders].filter((folder) => !['dist', 'machines', 'src'].includes(folder))).toEqual(
      [],
    );
    // `npm pack` is a process of its own: on a loaded 2-core machine it took over 5 s.
  }, 30_000);
});
