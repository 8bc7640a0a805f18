// The README stays true: its configuration table names every variable corebank reads, and the
// quick start is the two commands.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { configSchema } from '../src/platform/config.js';
import { projectRoot } from '../src/platform/paths.js';

const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');

it('lists every configuration variable in the README table', () => {
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Architecture'));
  const missing = Object.keys(configSchema.shape).filter((k) => !table.includes(`\`${k}\``));
  expect(missing).toEqual([]);
});

it('shows the quick start and the test command', () => {
  expect(readme).toContain('npm install && npm start');
  expect(readme).toContain('npm test');
});
