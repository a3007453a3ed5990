import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NX = createRequire(import.meta.url).resolve('nx/bin/nx');

/** What the checks read of a project's package.json. */
interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly bin?: Readonly<Record<string, string>>;
  readonly files?: readonly string[];
  readonly nx?: { readonly name?: string };
}

/** Every project of the workspace with its folder and manifest. */
function projects(): { root: string; project: string; manifest: Manifest }[] {
  return ['packages', 'apps', 'tools'].flatMap((group) =>
    readdirSync(join(ROOT, group))
      .filter((dir) => existsSync(join(ROOT, group, dir, 'package.json')))
      .map((dir) => {
        const manifest = JSON.parse(readFileSync(join(ROOT, group, dir, 'package.json'), 'utf8')) as Manifest;
        return { root: `${group}/${dir}`, project: manifest.nx?.name ?? manifest.name, manifest };
      }),
  );
}

const released = (JSON.parse(readFileSync(join(ROOT, 'nx.json'), 'utf8')) as { release: { projects: string[] } }).release.projects;

/**
 * Runs Nx in the workspace with no daemon or cloud, and with npm's registry pointed at a port
 * nothing listens on: a release preview must need no network.
 */
function nx(...args: string[]): string {
  return execFileSync(process.execPath, [NX, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NO_COLOR: '1',
      npm_config_registry: 'http://127.0.0.1:9/',
    },
  });
}

/** `x.y.z` with its patch bumped. */
const nextPatch = (version: string): string =>
  version.replace(/^(\d+\.\d+\.)(\d+)$/, (_, head: string, patch: string) => `${head}${Number(patch) + 1}`);

describe('what nx release publishes', () => {
  it('releases every project that is not private, the dr command included, and nothing private', () => {
    const publishable = projects()
      .filter((p) => p.manifest.private !== true)
      .map((p) => p.project);

    expect([...released].sort()).toEqual([...publishable].sort());
    expect(released).toContain('cli');
  });

  it("runs each released project's check-package (publint) before publishing it", () => {
    const { graph } = JSON.parse(nx('graph', '--file=stdout')) as {
      graph: { nodes: Record<string, { data: { targets: Record<string, { dependsOn?: unknown[] }> } }> };
    };

    for (const project of released) {
      const targets = graph.nodes[project]?.data.targets ?? {};
      expect(Object.keys(targets), project).toContain('check-package');
      expect(targets['nx-release-publish']?.dependsOn, project).toContain('check-package');
    }
  });

  it('previews a release offline: a new version and a changelog entry for each released project, @dr/cli among them', () => {
    const changes = () => execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
    const before = changes();

    const out = nx('release', 'patch', '--dry-run', '--skip-publish');

    for (const { root, project, manifest } of projects().filter((p) => released.includes(p.project))) {
      const version = nextPatch(manifest.version);
      expect(out).toContain(`New version ${version} written to manifest: ${root}/package.json`);
      expect(out).toContain(`Previewing an entry in ${root}/CHANGELOG.md for ${project}@${version}`);
    }
    // A preview: no manifest, changelog, lockfile, commit or tag written.
    expect(changes()).toBe(before);
  });
});

describe('dr in the workspace', () => {
  const cli = projects().find((p) => p.project === 'cli');
  if (!cli) throw new Error('no project named cli');
  const bin = cli.manifest.bin?.dr ?? '';

  it('is linked at npm ci to a committed, executable file that the package also ships', () => {
    const tracked = execFileSync('git', ['ls-files', '--', join(cli.root, bin)], { cwd: ROOT, encoding: 'utf8' }).trim();

    expect(realpathSync(join(ROOT, 'node_modules/.bin/dr'))).toBe(join(ROOT, cli.root, bin));
    expect(tracked).toBe(join(cli.root, bin));
    expect(statSync(join(ROOT, cli.root, bin)).mode & 0o111).not.toBe(0);
    expect(cli.manifest.files).toContain(bin.replace(/^\.\//, '').split('/')[0]);
  });

  it('says how to build it when run before the build, exit 1', () => {
    const unbuilt = mkdtempSync(join(tmpdir(), 'dr-unbuilt-'));
    try {
      mkdirSync(dirname(join(unbuilt, bin)));
      cpSync(join(ROOT, cli.root, bin), join(unbuilt, bin));
      cpSync(join(ROOT, cli.root, 'package.json'), join(unbuilt, 'package.json'));

      const r = spawnSync(process.execPath, [join(unbuilt, bin), '--version'], { encoding: 'utf8' });

      expect(r.stderr).toMatch(/run npx nx run cli:build first/);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(1);
    } finally {
      rmSync(unbuilt, { recursive: true, force: true });
    }
  });
});
