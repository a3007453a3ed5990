import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NX = createRequire(import.meta.url).resolve('nx/bin/nx');
/** The targets `npm test` runs, and the builds they depend on. */
const TARGETS = ['build', 'lint', 'typecheck', 'test', 'check-package'];
const PACKAGES = ['failover-core', 'snapshot', 'aws-adapters', 'constructs'];
const APPS = ['lambdas', 'cli', 'reference-stack'];

/** Runs Nx in the workspace as a contributor would, with no daemon or cloud to answer from elsewhere. */
function nx(...args: string[]): string {
  return execFileSync(process.execPath, [NX, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
}

/** The projects a change to `file` affects. */
const affectedProjects = (file: string): string[] =>
  JSON.parse(nx('show', 'projects', '--affected', `--files=${file}`, '--json')) as string[];

/** Every task `nx affected` would run for a change to `file`, dependencies included (`project:target`). */
function affectedTasks(file: string): string[] {
  const graph = JSON.parse(nx('affected', '-t', ...TARGETS, `--files=${file}`, '--graph=stdout')) as {
    tasks: { tasks: Record<string, unknown> };
  };
  return Object.keys(graph.tasks.tasks).sort();
}

describe('what a change affects', () => {
  it('runs nothing of @dr/failover-core for a change to @dr/snapshot but the build snapshot compiles against', () => {
    const tasks = affectedTasks('packages/snapshot/src/job.ts');

    // Only the build, which Nx replays from its cache while failover-core's inputs are unchanged.
    expect(tasks.filter((t) => t.startsWith('failover-core:'))).toEqual(['failover-core:build']);
    expect(tasks).toEqual(
      expect.arrayContaining(['snapshot:test', 'snapshot:check-package', 'aws-adapters:test', 'lambdas:test', 'consumer-check:test']),
    );
  });

  it('retests everything built on @dr/snapshot: the adapters, the Lambdas, the constructs that ship them, the apps', () => {
    const projects = affectedProjects('packages/snapshot/src/job.ts');

    expect(projects).not.toContain('failover-core');
    expect(projects).toEqual(expect.arrayContaining(['snapshot', 'aws-adapters', 'constructs', ...APPS, 'consumer-check']));
  });

  it('retests @dr/constructs for a change to the Lambdas, whose bundles it ships', () => {
    expect(affectedProjects('apps/lambdas/src/snapshot/handler.ts')).toEqual(
      expect.arrayContaining(['lambdas', 'constructs', 'reference-stack', 'consumer-check']),
    );
  });

  it('retests every package and app for a change to @dr/failover-core, which all of them build on', () => {
    expect(affectedProjects('packages/failover-core/src/index.ts')).toEqual(
      expect.arrayContaining([...PACKAGES, ...APPS, 'consumer-check']),
    );
  });

  it('runs these checks for a change to any project, since the graph comes from all of them', () => {
    expect(affectedProjects('apps/cli/src/main.ts')).toEqual(expect.arrayContaining(['cli', 'workspace-check']));
  });

  it('retests every project for a change to a workspace-wide input such as the lockfile', () => {
    const all = JSON.parse(nx('show', 'projects', '--json')) as string[];

    expect(affectedProjects('package-lock.json').sort()).toEqual(all.sort());
  });
});
