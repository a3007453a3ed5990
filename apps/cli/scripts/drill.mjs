#!/usr/bin/env node
// `npm run drill [-- options]`: builds the CLI, then runs `dr drill` with the options given.
// The build is quiet: its ninety lines of Nx output are shown only when it fails (with its exit
// code), so the first command of the README prints a drill. The drill's own exit code is kept.
// Plain JavaScript, so it runs in a fresh clone right after `npm ci`, before anything is built.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// Nx's entry, found as npm finds it (the package's `bin`), so no shell is needed to run it.
const nxPackage = join(root, 'node_modules', 'nx');
const nx = join(nxPackage, JSON.parse(readFileSync(join(nxPackage, 'package.json'), 'utf8')).bin.nx);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

// One line, so a first run in a fresh clone (minutes of building) does not look hung.
process.stderr.write('building dr (a few minutes the first time, seconds after)…\n');
const build = spawnSync(process.execPath, [nx, 'run', 'cli:build', '--output-style=stream'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
  // Nx draws its terminal UI only on a terminal; captured, it would otherwise buffer the whole log.
  env: { ...process.env, NX_TUI: 'false' },
  maxBuffer: 64 * 1024 * 1024,
});
if (build.status !== 0) {
  process.stderr.write(build.stdout ?? '');
  process.stderr.write(build.stderr ?? '');
  const why = build.error ? build.error.message : build.signal ? `killed by ${build.signal}` : `exit code ${build.status}`;
  process.stderr.write(`\nnpm run drill: building the CLI failed (${why}); the drill did not run.\n`);
  process.exit(build.status || 1);
}

const drill = spawnSync(process.execPath, [bin, 'drill', ...process.argv.slice(2)], { stdio: 'inherit' });
// A drill ended by a signal exits as a shell reports it: 128 + the signal number.
const signals = { SIGHUP: 1, SIGINT: 2, SIGPIPE: 13, SIGTERM: 15 };
process.exit(drill.status ?? (drill.signal ? 128 + (signals[drill.signal] ?? 0) : 1));
