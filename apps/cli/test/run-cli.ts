import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `dr` entry: tests run the command as a process, as a person would. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** The result of one `dr` run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Columns for the command tests: wide enough that no table or field wraps, since they assert
 * content; test/output.test.ts and test/commands/pipe.test.ts assert the layout at set widths.
 */
export const TEST_COLUMNS = '1000';

/** Runs `dr` with the given arguments, colour off, in {@link TEST_COLUMNS}. */
export function dr(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', COLUMNS: TEST_COLUMNS },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
