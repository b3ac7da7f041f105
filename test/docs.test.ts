import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { README, readmeWithReference } from '../scripts/config-doc';
import { envOverrides } from '../src/config/schema';

const readme = readFileSync(README, 'utf8');

describe('README', () => {
  it('starts with the two commands a newcomer needs', () => {
    const firstCode = readme.slice(readme.indexOf('```'), readme.indexOf('```', readme.indexOf('```') + 3));
    expect(firstCode).toContain('npm install && npm start');
    expect(firstCode).toContain('npm test');
  });

  it('carries the configuration reference generated from the schema (run npm run docs:config after changing it)', () => {
    expect(readme).toBe(readmeWithReference(readme));
  });

  it('names every environment override', () => {
    for (const { env } of envOverrides()) expect(readme).toContain(env);
  });

  it('documents the command line as the binary prints it', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toEqual(['ocpi-oicp-bridge']);
    for (const command of ['serve', 'check-config']) expect(readme).toContain(`ocpi-oicp-bridge ${command}`);
  });
});
