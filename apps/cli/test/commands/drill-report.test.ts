import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { referenceConfig } from '@dr/failover-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, dr } from '../run-cli.js';

/** Debian's Chromium: .ci/run installs it; elsewhere these tests run only where it is installed. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM && process.env.CI) throw new Error('Chromium is required in CI (apt-get install chromium; .ci/run does it)');

/** Chromium's own service traffic (time, updates, accounts), which it sends whatever the page. */
const CHROMIUM_SERVICES = /^(?:[\w-]+\.)*(?:google\.com|googleapis\.com|gstatic\.com)$/;

/**
 * Runs headless Chromium on a page with every request sent to a local proxy (loopback included),
 * and returns what it printed and the hosts the page asked for. `output` is `--dump-dom` or
 * `--screenshot=<file>`.
 */
async function chromium(file: string, output: string): Promise<{ stdout: string; requests: string[] }> {
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
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(CHROMIUM!, [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        `--proxy-server=http://127.0.0.1:${port}`,
        '--proxy-bypass-list=<-loopback>',
        '--virtual-time-budget=2000',
        '--window-size=1280,1600',
        output,
        pathToFileURL(file).href,
      ]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    return { stdout, requests };
  } finally {
    proxy.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Opens a page in headless Chromium and returns the rendered DOM and the hosts the page asked for. */
async function render(file: string): Promise<{ dom: string; requests: string[] }> {
  const { stdout, requests } = await chromium(file, '--dump-dom');
  return { dom: stdout, requests };
}

/** The text of every SVG `<text>` of a class in a rendered DOM, in document order. */
const texts = (dom: string, className: string): string[] =>
  [...dom.matchAll(new RegExp(`<text[^>]*class="${className}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]!);

/** The screenshot the CLI's README shows: the report of a drill that was rolled back. */
const README_SCREENSHOT = fileURLToPath(new URL('../../docs/drill-report.png', import.meta.url));

/** A fixed date for the README's report (reproducible builds' variable), so its screenshot changes only when the report does. */
const README_DATE = String(Date.UTC(2026, 0, 15, 9, 30) / 1000);

/** Runs `dr` as a process with extra environment. */
const drWith = (env: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

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

  it("tells a manager what it is: SIMULATED, when, the axis read once, the objectives marked, and what the failed run left; its screenshot is the README's", async () => {
    const file = join(dir, 'rolled-back.html');
    const run = drWith(
      { SOURCE_DATE_EPOCH: README_DATE },
      'drill',
      '--scenario',
      'promotion-failure',
      '--seed',
      '1',
      '--report',
      file,
      '--json',
    );
    const report = JSON.parse(run.stdout) as {
      outcome: string;
      bucketRpoSeconds: number;
      failedCalls: Record<string, number>;
      summary: { next: string; changes: { blockId: string; fate: string }[] };
    };

    const { dom, requests } = await render(file);

    expect(report.outcome).toBe('rolled-back');
    expect(dom).toMatch(/<span class="mode simulated">SIMULATED<\/span>/);
    expect(dom).toContain('<dd>2026-01-15 09:30 UTC</dd>');
    expect(dom).toContain('<dd>the built-in reference topology</dd>');
    expect(dom).toContain('<code class="reproduce">dr drill --scenario promotion-failure --seed 1</code>');
    const ticks = texts(dom, 'tick');
    expect(ticks.length).toBeGreaterThan(3);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(texts(dom, 'marker m-objective')).toEqual(['RTO objective 15:00 after the impairment']);
    expect(dom).toContain(`Data loss, files in S3 (bucket RPO)</td><td>${report.bucketRpoSeconds.toFixed(1)} s`);
    expect(Object.keys(report.failedCalls).length).toBeGreaterThan(0);
    for (const [kind, n] of Object.entries(report.failedCalls)) expect(dom).toMatch(new RegExp(`failed calls</td><td>[^<]*${kind} ${n}`));
    expect(dom).toMatch(/>Rollback</);
    expect(dom).toContain('undo-fence-weight');
    for (const change of report.summary.changes) expect(dom).toContain(`<td>${change.blockId}</td>`);
    expect(dom).toMatch(/invariants<\/td><td>promotions per operation \(max\) 0, unsafe traffic 0 s/);
    expect(dom).toContain(
      `<code class="next">${report.summary.next.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</code>`,
    );
    expect(requests).toEqual([]);

    const shot = join(dir, 'drill-report.png');
    const taken = await chromium(file, `--screenshot=${shot}`);
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 1600]);
    expect(taken.requests).toEqual([]);
    // Rewritten only when it changed, so a run that changed nothing leaves the checkout clean.
    if (!existsSync(README_SCREENSHOT) || !readFileSync(README_SCREENSHOT).equals(png)) writeFileSync(README_SCREENSHOT, png);
  });

  it('names the config file it was given, in the header and in the command that reproduces it', async () => {
    const config = join(dir, 'lamp config.json');
    writeFileSync(config, JSON.stringify(referenceConfig));
    const file = join(dir, 'configured.html');

    const run = dr('drill', '--scenario', 'region-outage', '--seed', '2', '--config', config, '--report', file, '--json');
    const { dom } = await render(file);

    expect(run.code).toBe(0);
    expect(dom).toContain(`<dd>${config}</dd>`);
    expect(dom).toContain(`<code class="reproduce">dr drill --scenario region-outage --seed 2 --config '${config}'</code>`);
  });

  it('would notice a page that fetches (the check can fail)', async () => {
    const file = join(dir, 'fetching.html');
    writeFileSync(file, '<!doctype html><p>hello</p><img src="http://example.invalid/pixel.png">');

    const { requests } = await render(file);

    expect(requests).toContain('example.invalid');
  });

  it('a SOURCE_DATE_EPOCH that is not a date is bad input, named, and no report is written', () => {
    const file = join(dir, 'undated.html');

    const r = drWith({ SOURCE_DATE_EPOCH: 'last tuesday' }, 'drill', '--report', file);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SOURCE_DATE_EPOCH must be a whole number of seconds/);
    expect(existsSync(file)).toBe(false);
  });

  it('a report that cannot be written is bad input, named', () => {
    const r = dr('drill', '--report', join(dir, 'no', 'such', 'dir', 'x.html'));

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write the report to .*x\.html/);
  });
});
