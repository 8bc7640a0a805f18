// docs/errors.md documents every code of the catalogue, with its status.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from './errors.js';
import { projectRoot } from './paths.js';

describe('the error catalogue', () => {
  const doc = readFileSync(path.join(projectRoot, 'docs/errors.md'), 'utf8');

  it.each(Object.entries(errorCatalogue))('docs/errors.md lists %s with its status', (code, { status }) => {
    expect(doc).toMatch(new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`, 'm'));
  });
});
