import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/drill.mjs', import.meta.url));

/**
 * A workspace laid out as the script expects (apps/cli/scripts, node_modules/nx, apps/cli/dist),
 * with an Nx that prints a build log and exits `buildCode`, and a `dr` that prints its arguments
 * and exits `drillCode`.
 */
function workspace(buildCode: number, drillCode: number): string {
  const root = mkdtempSync(join(tmpdir(), 'dr-npm-drill-'));
  mkdirSync(join(root, 'apps/cli/scripts'), { recursive: true });
  mkdirSync(join(root, 'apps/cli/dist'), { recursive: true });
  mkdirSync(join(root, 'node_modules/nx/dist/bin'), { recursive: true });
  copyFileSync(SCRIPT, join(root, 'apps/cli/scripts/drill.mjs'));
  writeFileSync(join(root, 'node_modules/nx/package.json'), JSON.stringify({ name: 'nx', bin: { nx: './dist/bin/nx.js' } }));
  writeFileSync(
    join(root, 'node_modules/nx/dist/bin/nx.js'),
    `for (let i = 1; i <= 90; i++) console.log('nx build log line ' + i + ' ' + process.argv.slice(2).join(' '));\nprocess.exit(${buildCode});\n`,
  );
  writeFileSync(join(root, 'apps/cli/dist/bin.js'), `console.log('dr ' + process.argv.slice(2).join(' '));\nprocess.exit(${drillCode});\n`);
  return root;
}

function npmRunDrill(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'apps/cli/scripts/drill.mjs'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run drill (apps/cli/scripts/drill.mjs)', () => {
  it('builds quietly, then prints the drill and keeps its exit code', () => {
    const r = npmRunDrill(workspace(0, 1), '--scenario', 'promotion-failure');

    expect(r.stdout).toBe('dr drill --scenario promotion-failure\n');
    // One line says it is building, not ninety lines of the build.
    expect(r.stderr).toBe('building dr (a few minutes the first time, seconds after)…\n');
    expect(r.code).toBe(1);
  });

  it('shows the build log and its exit code when the build fails, and runs no drill', () => {
    const r = npmRunDrill(workspace(3, 0));

    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('nx build log line 90 run cli:build --output-style=stream');
    expect(r.stderr).toMatch(/npm run drill: building the CLI failed \(exit code 3\); the drill did not run\.\n$/);
    expect(r.code).toBe(3);
  });

  it('in this workspace, prints the drill from its first line', () => {
    const r = npmRunDrill(fileURLToPath(new URL('../../../../', import.meta.url)), '--seed', '3');

    expect(r.stdout).toMatch(/^Drill: failover of lamp on the simulator — scenario region-outage, seed 3\n/);
    expect(r.stdout).not.toMatch(/\bNX\b|nx run/);
    expect(r.code).toBe(0);
  });
});
