import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // isolatedModules (tsconfig) makes ts-jest transpile only: types are checked once by `npm run typecheck`.
    '^.+\\.ts$': 'ts-jest',
  },
  // The PostgreSQL contract suite and the child-process tests share machine resources; two workers keep
  // the run fast on a 2-core machine without starving the database.
  maxWorkers: 2,
  testTimeout: 20_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};

export default config;
