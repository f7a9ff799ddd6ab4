import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BACKOFF_DEFAULTS, DEFAULTS, TIMING_DEFAULTS } from '../../src/index.js';

const page = readFileSync('docs/api.md', 'utf8');

describe('docs/api.md', () => {
  it.each([
    ...Object.keys(DEFAULTS),
    ...Object.keys(TIMING_DEFAULTS),
    ...Object.keys(BACKOFF_DEFAULTS),
  ])('documents %s', (key) => {
    expect(page).toContain(`\`${key}\``);
  });

  it('states each timing default as the code has it', () => {
    for (const [key, value] of Object.entries(TIMING_DEFAULTS)) {
      expect(page).toContain(`| \`${key}\` | \`${value}\` |`);
    }
  });

  it('lists every entry point of the package under Exports', () => {
    const exports = page.slice(page.indexOf('## Exports'));
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    for (const key of Object.keys(manifest.exports)) {
      expect(exports).toContain(`- \`${key === '.' ? 'tabcast' : `tabcast/${key.slice(2)}`}\`:`);
    }
  });

  it('names every error class', () => {
    for (const name of ['TabcastError', 'TabcastParseError', 'TabcastHandlerError']) {
      expect(page.slice(page.indexOf('## Exports'))).toContain(`\`${name}\``);
    }
  });
});
