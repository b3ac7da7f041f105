import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIGURATION_DOC, withReference } from '../scripts/config-doc';
import { envOverrides } from '../src/config/schema';

const REPO = join(__dirname, '..');
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const configuration = readFileSync(CONFIGURATION_DOC, 'utf8');
const operations = readFileSync(join(REPO, 'docs', 'operations.md'), 'utf8');

describe('README', () => {
  it('starts with the two commands a newcomer needs', () => {
    const firstCode = readme.slice(readme.indexOf('```'), readme.indexOf('```', readme.indexOf('```') + 3));
    expect(firstCode).toContain('npm install && npm start');
    expect(firstCode).toContain('npm test');
  });

  it('stays a front page: what it is, the status, a map of the docs', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });
});

describe('docs/configuration.md', () => {
  it('carries the configuration reference generated from the schema (run npm run docs:config after changing it)', () => {
    expect(configuration).toBe(withReference(configuration));
  });

  it('names every environment override', () => {
    for (const { env } of envOverrides()) expect(configuration).toContain(env);
  });
});

describe('docs/operations.md', () => {
  it('documents the command line as the binary prints it', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toEqual(['ocpi-oicp-bridge']);
    for (const command of ['serve', 'check-config']) expect(operations).toContain(`ocpi-oicp-bridge ${command}`);
  });
});
