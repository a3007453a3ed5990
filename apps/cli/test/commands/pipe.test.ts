import { spawn, spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/output.js';
import { AwsWorld } from '../aws-world.js';
import { BIN } from '../run-cli.js';

/** The environment of a shell with no colour preference of its own: `NO_COLOR`, `FORCE_COLOR` and `COLUMNS` unset. */
function plainEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !['NO_COLOR', 'FORCE_COLOR', 'COLUMNS', 'CI'].includes(e[0]),
    ),
  );
  return { ...env, ...extra };
}

/** Runs `dr` with stdout and stderr piped (not a terminal), in the given environment. */
function drPiped(args: readonly string[], env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `dr`, reads `lines` lines of its stdout and closes the pipe, as `dr ... | head -n` does;
 * with 0 lines the pipe is closed before `dr` writes anything, so its first write meets a closed pipe.
 */
function readThenClose(args: readonly string[], lines: number): Promise<{ code: number | null; read: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let read = '';
    let stderr = '';
    if (lines === 0) child.stdout.destroy();
    child.stdout.on('data', (chunk: Buffer) => {
      read += chunk.toString('utf8');
      if (read.split('\n').length > lines) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, read: read.split('\n').slice(0, lines).join('\n'), stderr }));
  });
}

describe('dr in a pipe', () => {
  it('exits 0 with nothing on stderr when the reader closes the pipe after two lines (dr drill | head -2)', async () => {
    const r = await readThenClose(['drill', '--operation', 'lifecycle'], 2);

    expect(r.read).toMatch(/^Lifecycle drill of lamp on the simulator/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('exits 0 with no EPIPE trace when the pipe is closed before the first write', async () => {
    const r = await readThenClose(['drill'], 0);

    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('prints no colour codes into a pipe, even under CI', () => {
    const r = drPiped(['drill'], plainEnv({ CI: 'true' }));

    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('prints colour into a pipe when FORCE_COLOR is set non-zero, and none when NO_COLOR is set too', () => {
    const forced = drPiped(['drill'], plainEnv({ FORCE_COLOR: '1' }));
    const both = drPiped(['drill'], plainEnv({ FORCE_COLOR: '1', NO_COLOR: '1' }));

    expect(forced.stdout).toContain('\x1b[1mDrill: failover of lamp');
    expect(both.stdout).not.toContain('\x1b[');
  });

  it('wraps the drill summary to COLUMNS', () => {
    const r = drPiped(['drill'], plainEnv({ COLUMNS: '40' }));
    const summary = r.stdout.slice(r.stdout.indexOf('\nSummary\n'));

    expect(r.code).toBe(0);
    expect(summary).toMatch(/critical path/);
    for (const line of summary.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(40);
  });
});

describe('dr status in a narrow terminal (against the fakes)', () => {
  let world: AwsWorld;
  beforeEach(async () => {
    world = await AwsWorld.start();
  });
  afterEach(() => world.stop());

  it.each([[60], [40]])('fits its tables into COLUMNS=%i and keeps every value', async (width) => {
    const wide = await world.dr(['status', '--app', 'lamp'], { env: { COLUMNS: '200' } });
    const narrow = await world.dr(['status', '--app', 'lamp'], { env: { COLUMNS: String(width) } });
    // The table (or its blocks) lies between the headline and the readiness; those two are sentences, not laid out by Output.
    const tableLines = narrow.stdout.slice(0, narrow.stdout.indexOf('\nReadiness')).split('\n').slice(1);

    expect(narrow.code).toBe(wide.code);
    expect(tableLines.length).toBeGreaterThan(0);
    expect(Math.max(...wide.stdout.split('\n').map(displayWidth))).toBeGreaterThan(width);
    for (const line of tableLines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
    for (const value of ['lamp-replica', 'read_only', 'in-sync']) expect(narrow.stdout).toContain(value);
    expect(world.fake.mutations()).toBe(0);
  });
});
