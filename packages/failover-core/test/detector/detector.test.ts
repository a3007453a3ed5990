import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { SignalName } from '../../src/config/schema.js';
import {
  countedDowns,
  impairmentEstimate,
  initialDetectorState,
  INDEPENDENT_SIGNALS,
  observeRound,
  roundFails,
  type DetectorRound,
  type DetectorSettings,
  type DetectorState,
  type SignalReading,
  type SignalState,
} from '../../src/detector/detector.js';
import { config } from '../fixtures.js';

const settings: DetectorSettings = config.detection;
const INTERVAL = 10_000;
const STALE_MS = settings.staleAfterSeconds * 1000;

type Readings = DetectorRound['readings'];

function feed(
  rounds: Readings[],
  start: DetectorState = { ...initialDetectorState, armed: true },
  s: DetectorSettings = settings,
): DetectorState[] {
  const states: DetectorState[] = [];
  let state = start;
  rounds.forEach((readings, i) => {
    state = observeRound(state, s, { at: i * INTERVAL, readings });
    states.push(state);
  });
  return states;
}

const r = (state: SignalState, ageMs: number): SignalReading => ({ state, ageMs });

/**
 * A region outage as the controller reads it: the probe times out now, Route 53 and Global Accelerator say down with their lag, the alarm
 * cannot be read.
 */
const outage: Readings = { probe: r('down', 0), route53: r('down', 12_000), 'endpoint-health': r('down', 5_000), alarm: r('unknown', 0) };
const healthy: Readings = { probe: r('up', 0), route53: r('up', 12_000), 'endpoint-health': r('up', 5_000), alarm: r('up', 60_000) };
/** The first seconds of an outage: only the probe has seen it; the others still say up. */
const onlyProbeDown: Readings = { ...healthy, probe: r('down', 0) };

describe('observeRound', () => {
  it('declares down after failureThreshold rounds in a row with a quorum of signals down', () => {
    const verdicts = feed([outage, outage]).map((s) => s.verdict);

    expect(settings.failureThreshold).toBe(2);
    expect(verdicts).toEqual(['suspect', 'down']);
  });

  it('estimates the impairment start from the first round with a counted down, bracketed by the last clean round and the first failing one', () => {
    const states = feed([healthy, onlyProbeDown, outage, outage]);

    expect(states.at(-1)).toMatchObject({
      verdict: 'down',
      firstDownAt: 1 * INTERVAL,
      lastCleanAt: 0,
      suspectSince: 2 * INTERVAL,
      downSince: 3 * INTERVAL,
    });
    expect(impairmentEstimate(states.at(-1)!)).toEqual({ at: 1 * INTERVAL, after: 0, by: 2 * INTERVAL });
  });

  it('forgets a lone down long ago: the estimate starts after the last clean round', () => {
    const states = feed([onlyProbeDown, healthy, healthy, healthy, onlyProbeDown, outage, outage]);

    expect(impairmentEstimate(states.at(-1)!)?.at).toBe(4 * INTERVAL);
  });

  it('restarts the count when a failing streak is broken', () => {
    const verdicts = feed([outage, { ...outage, probe: r('up', 0) }, outage]).map((s) => s.verdict);

    expect(verdicts).not.toContain('down');
  });

  it('recovers only after recoveryThreshold clean rounds (hysteresis)', () => {
    const states = feed([outage, outage, healthy, healthy]);

    expect(states.map((s) => s.verdict)).toEqual(['suspect', 'down', 'down', 'healthy']);
  });

  it('counts a recovery when a fresh probe answers though Route 53 and Global Accelerator still lag', () => {
    const recovering: Readings = { ...outage, probe: r('up', 0) };
    const states = feed([outage, outage, recovering, recovering]);

    expect(countedDowns(settings, { at: 0, readings: recovering })).toEqual([]);
    expect(states.at(-1)?.verdict).toBe('healthy');
  });

  it('does not declare down again during the cooldown after a recovery', () => {
    const recovered = feed([outage, outage, healthy, healthy]).at(-1)!;
    const during = feed([outage, outage, outage], { ...recovered, cooldownUntil: 10 * 60_000 });
    const after = feed([outage, outage], { ...recovered, cooldownUntil: 0 });

    expect(during.map((s) => s.verdict)).not.toContain('down');
    expect(after.at(-1)?.verdict).toBe('down');
  });

  it('never counts an unknown reading as down', () => {
    const verdicts = feed(
      Array.from({ length: 10 }, () => ({
        probe: r('down', 0),
        route53: r('unknown', 0),
        'endpoint-health': r('unknown', 0),
        alarm: r('unknown', 0),
      })),
    ).map((s) => s.verdict);

    expect(verdicts).not.toContain('down');
  });

  it('arms only once it has seen the primary healthy: a primary failing from day one is never failed over', () => {
    const neverHealthy = feed([outage, outage, outage, outage], initialDetectorState);
    const armedFirst = feed([healthy, outage, outage], initialDetectorState);

    expect(neverHealthy.map((s) => s.verdict)).not.toContain('down');
    expect(neverHealthy.at(-1)?.armed).toBe(false);
    expect(armedFirst.at(-1)).toMatchObject({ verdict: 'down', armed: true });
  });

  it('remembers a maintenance seen during the impairment until the verdict is healthy again', () => {
    let state: DetectorState = { ...initialDetectorState, armed: true };
    state = observeRound(state, settings, { at: 0, readings: outage, maintenance: true });
    state = observeRound(state, settings, { at: INTERVAL, readings: outage, maintenance: false });
    expect(state).toMatchObject({ verdict: 'down', maintenanceSince: 0 });
    state = observeRound(state, settings, { at: 2 * INTERVAL, readings: healthy });
    state = observeRound(state, settings, { at: 3 * INTERVAL, readings: healthy });
    expect(state.verdict).toBe('healthy');
    expect(state.maintenanceSince).toBeUndefined();
  });
});

describe('freshness and the veto (the rule in the package README, "Detection")', () => {
  const signal = fc.constantFrom<SignalName>(...settings.signals);
  const anyReading = fc.record({
    state: fc.constantFrom<SignalState>('up', 'down', 'unknown'),
    ageMs: fc.integer({ min: 0, max: 3 * STALE_MS }),
  });
  const anyRound = fc.record({ probe: anyReading, route53: anyReading, 'endpoint-health': anyReading, alarm: anyReading });

  test.prop([anyRound])('a stale reading never votes: making it unknown changes nothing', (readings) => {
    const fresh = Object.fromEntries(Object.entries(readings).map(([k, v]) => [k, v.ageMs > STALE_MS ? r('unknown', 0) : v]));

    expect(countedDowns(settings, { at: 0, readings })).toEqual(countedDowns(settings, { at: 0, readings: fresh }));
  });

  test.prop([anyRound])('a fresh up from an independent vantage point vetoes every down at least as old as it', (readings) => {
    const counted = countedDowns(settings, { at: 0, readings });
    const ups = Object.entries(readings).filter(
      ([k, v]) => INDEPENDENT_SIGNALS.has(k as SignalName) && v.state === 'up' && v.ageMs <= STALE_MS,
    );

    for (const s of counted) {
      const down = readings[s as keyof typeof readings];
      expect(down.state).toBe('down');
      expect(down.ageMs).toBeLessThanOrEqual(STALE_MS);
      for (const [, up] of ups) expect(down.ageMs).toBeLessThan(up.ageMs);
    }
  });

  test.prop([anyRound])('a fresh probe that answers makes every round pass (nothing can be newer than it)', (readings) => {
    const answered = { ...readings, probe: r('up', 0) };

    expect(countedDowns(settings, { at: 0, readings: answered })).toEqual([]);
    expect(roundFails(settings, { at: 0, readings: answered })).toBe(false);
  });

  test.prop([fc.array(anyReading, { minLength: 1, maxLength: 300 }), signal])(
    'never declares down when only one signal misbehaves, however it flaps',
    (flaps, flapping) => {
      const rounds = flaps.map((reading) => ({ ...healthy, [flapping]: reading }));

      expect(feed(rounds).every((s) => s.verdict !== 'down')).toBe(true);
    },
  );

  test.prop([fc.array(anyRound, { minLength: 1, maxLength: 200 })])(
    'says down only after failureThreshold rounds in a row with a quorum of counted downs',
    (rounds) => {
      const states = feed(rounds);
      const firstDown = states.findIndex((s) => s.verdict === 'down');
      if (firstDown === -1) return;
      const window = rounds.slice(firstDown - settings.failureThreshold + 1, firstDown + 1);

      expect(window).toHaveLength(settings.failureThreshold);
      for (const readings of window) expect(countedDowns(settings, { at: 0, readings }).length).toBeGreaterThanOrEqual(settings.quorum);
    },
  );

  test.prop([fc.array(anyRound, { minLength: 1, maxLength: 200 })])(
    'the impairment estimate lies between the last clean round and the first failing one',
    (rounds) => {
      for (const state of feed(rounds)) {
        const estimate = impairmentEstimate(state);
        if (!estimate) continue;
        expect(estimate.at).toBeLessThanOrEqual(estimate.by);
        if (estimate.after !== undefined) expect(estimate.at).toBeGreaterThanOrEqual(estimate.after);
      }
    },
  );
});
