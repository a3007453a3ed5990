import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { initialDetectorState, observeRound, type DetectorRound, type DetectorSettings, type DetectorState, type SignalReading } from '../../src/detector/detector.js';
import { config } from '../fixtures.js';

const settings: DetectorSettings = config.detection;
const INTERVAL = 10_000;

function feed(rounds: DetectorRound['readings'][], start: DetectorState = initialDetectorState, s: DetectorSettings = settings): DetectorState[] {
  const states: DetectorState[] = [];
  let state = start;
  rounds.forEach((readings, i) => {
    state = observeRound(state, s, { at: i * INTERVAL, readings });
    states.push(state);
  });
  return states;
}

const outage = { probe: 'down', 'endpoint-health': 'down', alarm: 'unknown' } as const;
const healthy = { probe: 'up', 'endpoint-health': 'up', alarm: 'up' } as const;

describe('observeRound', () => {
  it('declares down after failureThreshold rounds in a row with a quorum of signals down', () => {
    const verdicts = feed([outage, outage, outage]).map((s) => s.verdict);

    expect(verdicts).toEqual(['suspect', 'suspect', 'down']);
  });

  it('estimates the impairment start from the first round with any signal down', () => {
    const states = feed([healthy, { ...healthy, probe: 'down' }, outage, outage, outage]);

    expect(states.at(-1)).toMatchObject({ verdict: 'down', suspectSince: 1 * INTERVAL, downSince: 4 * INTERVAL });
  });

  it('restarts the count when a failing streak is broken', () => {
    const verdicts = feed([outage, outage, { ...outage, 'endpoint-health': 'up' }, outage, outage]).map((s) => s.verdict);

    expect(verdicts).not.toContain('down');
  });

  it('recovers only after recoveryThreshold clean rounds (hysteresis)', () => {
    const states = feed([outage, outage, outage, healthy, healthy]);

    expect(states.map((s) => s.verdict)).toEqual(['suspect', 'suspect', 'down', 'down', 'healthy']);
  });

  it('does not declare down again during the cooldown after a recovery', () => {
    const recovered = feed([outage, outage, outage, healthy, healthy]).at(-1)!;
    const during = feed([outage, outage, outage], { ...recovered, cooldownUntil: 10 * 60_000 });
    const after = feed([outage, outage, outage], { ...recovered, cooldownUntil: 0 });

    expect(during.map((s) => s.verdict)).not.toContain('down');
    expect(after.at(-1)?.verdict).toBe('down');
  });

  it('never counts an unknown reading as down', () => {
    const verdicts = feed(Array.from({ length: 10 }, () => ({ probe: 'down', 'endpoint-health': 'unknown', alarm: 'unknown' }) as const)).map((s) => s.verdict);

    expect(verdicts).not.toContain('down');
  });

  const reading = fc.constantFrom<SignalReading>('up', 'down', 'unknown');

  test.prop([fc.array(reading, { minLength: 1, maxLength: 300 }), fc.constantFrom('probe', 'endpoint-health', 'alarm')])(
    'never declares down when only one signal misbehaves, however it flaps',
    (flaps, flapping) => {
      const rounds = flaps.map((r) => ({ ...healthy, [flapping]: r }));

      expect(feed(rounds).every((s) => s.verdict !== 'down')).toBe(true);
    },
  );

  test.prop([fc.array(fc.record({ probe: reading, 'endpoint-health': reading, alarm: reading }), { minLength: 1, maxLength: 200 })])(
    'says down only after failureThreshold quorum rounds in a row',
    (rounds) => {
      const states = feed(rounds);
      const firstDown = states.findIndex((s) => s.verdict === 'down');
      if (firstDown === -1) return;
      const window = rounds.slice(firstDown - settings.failureThreshold + 1, firstDown + 1);

      expect(window).toHaveLength(settings.failureThreshold);
      for (const r of window) expect(Object.values(r).filter((v) => v === 'down').length).toBeGreaterThanOrEqual(settings.quorum);
    },
  );
});
