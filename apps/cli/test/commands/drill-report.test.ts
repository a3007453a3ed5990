import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dr } from '../run-cli.js';

/** Debian's Chromium: .ci/run installs it; elsewhere these tests run only where it is installed. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM && process.env.CI) throw new Error('Chromium is required in CI (apt-get install chromium; .ci/run does it)');

/** Chromium's own service traffic (time, updates, accounts), which it sends whatever the page. */
const CHROMIUM_SERVICES = /^(?:[\w-]+\.)*(?:google\.com|googleapis\.com|gstatic\.com)$/;

/**
 * Opens a page in headless Chromium with every request sent to a local proxy (loopback
 * included), and returns the rendered DOM and the hosts the page asked for.
 */
async function render(file: string): Promise<{ dom: string; requests: string[] }> {
  const requests: string[] = [];
  const proxy = createServer((socket) => {
    socket.once('data', (d: Buffer) => {
      // "GET http://host/path HTTP/1.1" or "CONNECT host:443 HTTP/1.1"
      const target = d.toString().split(' ')[1] ?? '';
      const host = /^https?:\/\//.test(target) ? new URL(target).hostname : target.replace(/:\d+$/, '');
      if (!CHROMIUM_SERVICES.test(host)) requests.push(host);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  const port = (proxy.address() as { port: number }).port;
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  try {
    const dom = await new Promise<string>((resolve, reject) => {
      const child = spawn(CHROMIUM!, [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        `--user-data-dir=${profile}`,
        `--proxy-server=http://127.0.0.1:${port}`,
        '--proxy-bypass-list=<-loopback>',
        '--virtual-time-budget=2000',
        '--dump-dom',
        pathToFileURL(file).href,
      ]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    return { dom, requests };
  } finally {
    proxy.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

describe.skipIf(!CHROMIUM)('dr drill --report, in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dr-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the timeline chart with every step and block, and fetches nothing', async () => {
    const file = join(dir, 'drill.html');
    const run = dr('drill', '--scenario', 'region-outage', '--seed', '3', '--report', file, '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { steps: { name: string }[]; criticalPath: { blockId: string }[]; rtoSeconds: number };

    const { dom, requests } = await render(file);

    expect(dom).toMatch(/<svg[^>]*aria-label="Timeline of the drill"/);
    for (const step of report.steps) expect(dom).toContain(step.name);
    for (const segment of report.criticalPath) expect(dom).toContain(segment.blockId);
    expect(dom).toContain(`${report.rtoSeconds.toFixed(1)} s`);
    expect(dom).toMatch(/eu-west-1 \(detector\)/);
    expect(requests).toEqual([]);
    expect(readFileSync(file, 'utf8')).not.toMatch(/<(script|link|img|iframe)\b/i);
  });

  it('charts a rolled-back drill: the undo blocks, the invariants, and the next command', async () => {
    const file = join(dir, 'rolled-back.html');
    const run = dr('drill', '--scenario', 'promotion-failure', '--report', file, '--json');
    const report = JSON.parse(run.stdout) as { outcome: string; summary: { next: string } };

    const { dom, requests } = await render(file);

    expect(report.outcome).toBe('rolled-back');
    expect(dom).toMatch(/>Rollback</);
    expect(dom).toContain('undo-fence-weight');
    expect(dom).toMatch(/invariants<\/td><td>promotions per operation \(max\) 0, unsafe traffic 0 s/);
    expect(dom).toContain(report.summary.next);
    expect(requests).toEqual([]);
  });

  it('would notice a page that fetches (the check can fail)', async () => {
    const file = join(dir, 'fetching.html');
    writeFileSync(file, '<!doctype html><p>hello</p><img src="http://example.invalid/pixel.png">');

    const { requests } = await render(file);

    expect(requests).toContain('example.invalid');
  });

  it('a report that cannot be written is bad input, named', () => {
    const r = dr('drill', '--report', join(dir, 'no', 'such', 'dir', 'x.html'));

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write the report to .*x\.html/);
  });
});

