import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { renderRulesDoc } from '../scripts/rules-doc.js';

it('docs/rules.md is generated from the current rule registry (run `npm run docs:rules`)', () => {
  const onDisk = readFileSync(join(import.meta.dirname, '..', 'docs', 'rules.md'), 'utf8');
  expect(onDisk).toBe(renderRulesDoc());
});
