/**
 * The folders form layers, not a cycle: `src/` (createTabcast, the actors, the transports, the
 * React adapter) runs the charts of `machines/`, and the charts speak only their own vocabulary
 * (`machines/events.ts`, `machines/protocol.ts`, `machines/status.ts`…). Issue 13.4: the charts
 * once imported their types and helpers from `src/`, which imported the charts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MACHINES = 'machines';

/** Each relative import of a file under `folder` that resolves outside it, as `file → target`. */
function importsLeaving(folder: string): string[] {
  const files = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((file) =>
    /\.tsx?$/.test(file),
  );
  return files.flatMap((file) => {
    const source = path.join(folder, file);
    const { importedFiles } = ts.preProcessFile(readFileSync(source, 'utf8'), true, true);
    return importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => path.join(path.dirname(source), specifier))
      .filter((target) => !target.startsWith(`${folder}${path.sep}`))
      .map((target) => `${source} → ${target}`);
  });
}

describe('folder layers', () => {
  it('machines/ imports nothing from src/ (or anywhere else in the repository)', () => {
    expect(importsLeaving(MACHINES)).toEqual([]);
  });

  it('sees the imports it looks for: src/ runs the charts', () => {
    expect(importsLeaving('src').some((line) => line.includes(`${MACHINES}${path.sep}`))).toBe(
      true,
    );
  });
});
