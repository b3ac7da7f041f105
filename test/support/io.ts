import type { CliIo } from '../../src/cli/common';

/** CLI streams that record what is written, for in-process `main()` tests. */
export function captured(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (chunk: string) => ((out += chunk), true) },
    stderr: { write: (chunk: string) => ((err += chunk), true) },
    env: {},
    out: () => out,
    err: () => err,
  };
}
