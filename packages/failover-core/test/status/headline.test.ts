import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { RegionRole } from '../../src/config/schema.js';
import { judgeHeadline, type HeadlineInput } from '../../src/status/headline.js';
import type { RegionObservation } from '../../src/status/observation.js';
import { judgeReach, type Reach } from '../../src/status/reach.js';
import {
  READ_FAILURE_REASONS,
  REPLICA,
  SERVING_COMPUTE,
  TAKING_TRAFFIC,
  WRITABLE,
  regionObservations,
  seen,
  unread,
} from './arbitraries.js';

const reachable: Reach = { fromHere: false, reasons: [], silent: new Map() };

const primary = (over: Partial<RegionObservation> = {}): RegionObservation => ({
  role: 'primary',
  region: 'us-east-1',
  database: seen(WRITABLE),
  compute: seen(SERVING_COMPUTE),
  traffic: seen(TAKING_TRAFFIC),
  ...over,
});
const secondary = (over: Partial<RegionObservation> = {}): RegionObservation => ({
  role: 'secondary',
  region: 'eu-west-1',
  database: seen(REPLICA),
  compute: seen({ ...SERVING_COMPUTE, min: 0, desired: 0, inService: 0, healthyTargets: 0 }),
  traffic: seen({ ...TAKING_TRAFFIC, trafficDialPercent: 0 }),
  ...over,
});
const input = (over: Partial<HeadlineInput> = {}): HeadlineInput => ({
  app: 'lamp',
  record: seen(undefined),
  recorded: 'primary',
  regions: [primary(), secondary()],
  reach: reachable,
  ...over,
});

describe('judgeHeadline', () => {
  it('says the serving region serves, observed healthy, when all of it was read and found serving', () => {
    expect(judgeHeadline(input())).toEqual({
      text: 'lamp: us-east-1 (primary) serves, observed healthy',
      serving: { role: 'primary', region: 'us-east-1' },
      observed: true,
      reason: 'healthy',
    });
  });

  it('names what is wrong with the serving side, and whether users are reached', () => {
    const h = judgeHeadline(input({ regions: [primary({ database: seen(REPLICA) }), secondary()] }));

    expect(h.reason).toBe('not-serving');
    expect(h.text).toBe(
      'lamp: us-east-1 (primary) is meant to serve, but its database is not writable (replica, available, write-fenced): users are reached, but the serving side is not healthy',
    );
  });

  it('says partly observed, never healthy, when a part of the serving region could not be read', () => {
    const h = judgeHeadline(input({ regions: [primary({ compute: unread('throttled') }), secondary()] }));

    expect(h.reason).toBe('partly-observed');
    expect(h.text).toMatch(/its compute could not be read \(throttled\): not all of it could be seen$/);
  });

  it('says the serving region does not answer, and what its accelerator endpoint, read elsewhere, shows', () => {
    const regions = [primary({ database: unread('timeout'), compute: unread('timeout') }), secondary()];
    const reach = judgeReach([
      { region: 'us-east-1', reason: 'timeout' },
      { region: 'us-east-1', reason: 'timeout' },
      { region: 'us-west-2', reason: null },
    ]);

    const h = judgeHeadline(input({ regions, reach }));

    expect(h.reason).toBe('region-silent');
    expect(h.text).toBe(
      'lamp: us-east-1 (primary) is meant to serve, but it does not answer (timed out) and its accelerator endpoint is still healthy: users may still be served; its database and compute cannot be seen',
    );
  });

  it('claims no serving region when the record could not be read, and says which region looks healthy', () => {
    const h = judgeHeadline(input({ record: unread('timeout'), recorded: null }));

    expect(h).toMatchObject({ serving: null, observed: true, reason: 'record-unread' });
    expect(h.text).toBe(
      'lamp: the state record could not be read (timed out), so which region is meant to serve is not known; us-east-1 (primary) is observed serving, healthy',
    );
  });

  it('observes nothing when AWS cannot be reached from here', () => {
    const reach: Reach = { fromHere: true, reasons: ['refused', 'dns'], silent: new Map() };

    const h = judgeHeadline(input({ reach }));

    expect(h).toMatchObject({ observed: false, reason: 'not-reachable-from-here', serving: { role: 'primary', region: 'us-east-1' } });
    expect(h.text).toMatch(/^lamp: cannot reach AWS from here \(connection refused \/ DNS\)/);
  });

  it('refuses regions without the one the record names active, naming the field', () => {
    expect(() => judgeHeadline(input({ recorded: 'secondary', regions: [primary()] }))).toThrow(
      /regions has no observation of the secondary/,
    );
  });

  const recorded = fc.option(fc.constantFrom<RegionRole>('primary', 'secondary'), { nil: null });
  const reach = fc.record({
    fromHere: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
    reasons: fc.constant([]),
    silent: fc.option(fc.constantFrom(...READ_FAILURE_REASONS), { nil: undefined }).map((r) => new Map(r ? [['us-east-1', [r]]] : [])),
  });

  test.prop([regionObservations, recorded, reach])(
    'never says healthy unless the record was read and every part of the serving region was observed serving',
    (regions, role, r) => {
      const h = judgeHeadline(input({ regions, recorded: role, record: role === null ? unread() : seen(undefined), reach: r }));

      if (h.reason !== 'healthy') return;
      const serving = regions.find((x) => x.role === role)!;
      expect(role).not.toBeNull();
      expect(h.observed).toBe(true);
      expect(h.serving).toEqual({ role: serving.role, region: serving.region });
      expect(serving.database.ok && serving.database.value.exists && serving.database.value.writable).toBe(true);
      expect(serving.compute.ok && serving.compute.value.healthyTargets > 0).toBe(true);
      expect(serving.traffic.ok && serving.traffic.value.healthy && serving.traffic.value.trafficDialPercent > 0).toBe(true);
      expect(r.fromHere || r.silent.has(serving.region)).toBe(false);
    },
  );

  test.prop([regionObservations, recorded, reach])(
    'says it observed nothing exactly when AWS could not be reached from here, and names a serving region only from the record',
    (regions, role, r) => {
      const h = judgeHeadline(input({ regions, recorded: role, record: role === null ? unread() : seen(undefined), reach: r }));

      expect(h.observed).toBe(!r.fromHere);
      expect(h.serving?.role ?? null).toBe(role);
      expect(h.text.startsWith('lamp: ')).toBe(true);
    },
  );
});
