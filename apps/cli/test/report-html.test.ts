import { parseConfig, referenceConfig } from '@dr/failover-core';
import { runDrill, scenarioEffects, type DrillReport, type Scenario } from '@dr/failover-core/drill';
import { describe, expect, it } from 'vitest';
import { faultWindows, MARKS } from '../src/report-chart.js';
import { DrillRecorder, renderDrillReport, reproduceCommand, type ReportMetadata } from '../src/report-html.js';
import { reportDate } from '../src/json-document.js';

const config = parseConfig(referenceConfig, 'the reference topology');
const meta: ReportMetadata = { mode: 'simulated', generatedAt: new Date('2026-03-04T05:06:07Z'), configFile: undefined, app: config.app };

async function drill(scenario: Scenario, seed: number): Promise<{ report: DrillReport; recorder: DrillRecorder }> {
  const recorder = new DrillRecorder();
  const report = await runDrill({ config, scenario, seed, onProgress: recorder.record });
  return { report, recorder };
}

/** The text of every SVG `<text>` of a class, in document order. */
const texts = (html: string, className: string): string[] =>
  [...html.matchAll(new RegExp(`<text[^>]*class="${className}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]!);

describe('renderDrillReport', () => {
  it('says it is simulated, when it was made, from which config, and how to run it again', async () => {
    const { report, recorder } = await drill('promotion-failure', 1);

    const html = renderDrillReport(report, recorder, meta);

    expect(html).toContain('>SIMULATED<');
    expect(html).toContain('no AWS account was touched');
    expect(html).toContain('2026-03-04 05:06 UTC');
    expect(html).toContain('the built-in reference topology');
    expect(html).toContain('<code class="reproduce">dr drill --scenario promotion-failure --seed 1</code>');
  });

  it('says LIVE, and names the config file, when that is what it was', async () => {
    const { report, recorder } = await drill('region-outage', 3);

    const html = renderDrillReport(report, recorder, { ...meta, mode: 'live', configFile: 'dr/lamp.json' });

    expect(html).toContain('>LIVE<');
    expect(html).not.toContain('SIMULATED');
    expect(html).toContain('<dd>dr/lamp.json</dd>');
  });

  it('labels each tick of the time axis once, in order', async () => {
    const { report, recorder } = await drill('region-outage', 3);

    const ticks = texts(renderDrillReport(report, recorder, meta), 'tick');

    expect(ticks.length).toBeGreaterThan(3);
    expect(new Set(ticks).size).toBe(ticks.length);
  });

  it('draws a region down and a block failed in different colours, and the undo blocks in a third', async () => {
    const { report, recorder } = await drill('promotion-failure', 1);

    const html = renderDrillReport(report, recorder, meta);

    expect(new Set([MARKS.down, MARKS.failed, MARKS.undone]).size).toBe(3);
    expect(html).toContain(`fill="${MARKS.down}"`);
    expect(html).toMatch(new RegExp(`fill="${MARKS.failed}"><title>promote-replica`));
    expect(html).toMatch(new RegExp(`fill="${MARKS.undone}"><title>undo-fence-weight`));
    expect(html).toContain('url(#hatch-down)');
    expect(texts(html, 'note failed')).toContain('✗ failed');
  });

  it('marks the RTO objective and the measured RTO on the chart, with its verdict', async () => {
    const { report, recorder } = await drill('region-outage', 3);

    const markers = texts(renderDrillReport(report, recorder, meta), 'marker [^"]+');

    expect(markers).toContain('RTO objective 15:00 after the impairment');
    expect(markers.some((m) => /^RTO \d+:\d\d measured: met$/.test(m))).toBe(true);
    expect(markers).toContain(`RPO objective: at most 1:00 of writes lost (measured ${report.rpoSeconds!.toFixed(1)} s, met)`);
  });

  it('gives the bucket RPO, the failed calls by kind, and, for a run that did not complete, its changes and the next command', async () => {
    const { report, recorder } = await drill('promotion-failure', 1);

    const html = renderDrillReport(report, recorder, meta);

    expect(report.bucketRpoSeconds).not.toBeNull();
    expect(html).toContain(`Data loss, files in S3 (bucket RPO)</td><td>${report.bucketRpoSeconds!.toFixed(1)} s`);
    for (const [kind, n] of Object.entries(report.failedCalls)) expect(html).toMatch(new RegExp(`failed calls</td><td>[^<]*${kind} ${n}`));
    for (const change of report.summary!.changes) expect(html).toContain(`<td>${change.blockId}</td>`);
    expect(html).toContain('↺ undone');
    expect(html).toContain(`<code class="next">${report.summary!.next}</code>`);
  });

  it('fetches nothing and runs nothing: inline CSS and SVG under a policy that forbids every fetch', async () => {
    const { report, recorder } = await drill('region-outage', 3);

    const html = renderDrillReport(report, recorder, meta);

    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<(script|link|img|iframe)\b|@import|url\((?!#)/i);
  });
});

describe('faultWindows', () => {
  it('draws the region the scenario takes down, when it does (the target, 6 minutes in, for a failing switchover target)', () => {
    expect(faultWindows(scenarioEffects('target-fails-mid-switchover', 'eu-west-1', 'us-east-1', 60_000).faults)).toEqual([
      { label: 'us-east-1 down', from: 420, to: 1620, down: true },
    ]);
  });

  it('tells a fault no failover should answer from a region down', () => {
    expect(faultWindows(scenarioEffects('maintenance-reboot', 'eu-west-1', 'us-east-1', 0, 120_000).faults)).toEqual([
      { label: 'eu-west-1 database rebooting', from: 0, to: 120, down: false },
    ]);
    expect(faultWindows(scenarioEffects('region-outage', 'eu-west-1', 'us-east-1', 30_000).faults)).toEqual([
      { label: 'eu-west-1 down', from: 30, to: null, down: true },
    ]);
  });
});

describe('reproduceCommand', () => {
  it('leaves out the operation the scenario implies, and names one that was chosen', () => {
    expect(reproduceCommand({ operation: 'failover', scenario: 'region-outage', seed: 7 }, { configFile: undefined })).toBe(
      'dr drill --scenario region-outage --seed 7',
    );
    expect(reproduceCommand({ operation: 'switchover', scenario: 'none', seed: 1 }, { configFile: undefined })).toBe(
      'dr drill --operation switchover --scenario none --seed 1',
    );
  });

  it('carries the options that change the drill, and quotes a config path for the shell', () => {
    expect(
      reproduceCommand(
        { operation: 'failover', scenario: 'region-outage', seed: 2 },
        { configFile: "my dr/it's.json", outageSeconds: 60, force: true },
      ),
    ).toBe(`dr drill --scenario region-outage --seed 2 --outage-seconds 60 --force --config 'my dr/it'\\''s.json'`);
  });
});

describe('reportDate', () => {
  it('is now, unless SOURCE_DATE_EPOCH fixes it', () => {
    const now = new Date('2026-01-02T03:04:05Z');

    expect(reportDate({}, () => now)).toBe(now);
    expect(reportDate({ SOURCE_DATE_EPOCH: '1767225600' }).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('refuses a SOURCE_DATE_EPOCH that is not whole seconds, naming it', () => {
    expect(() => reportDate({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH must be a whole number of seconds/);
  });
});
