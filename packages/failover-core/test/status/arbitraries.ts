import { fc } from '@fast-check/vitest';
import type { CapacityStatus, DbStatus, EndpointGroupStatus } from '../../src/ports.js';
import type { Observation, ReadFailureReason, RegionObservation } from '../../src/status/observation.js';

/** Every reason a read can fail for. */
export const READ_FAILURE_REASONS: readonly ReadFailureReason[] = [
  'timeout',
  'refused',
  'dns',
  'reset',
  'no-route',
  'access-denied',
  'not-found',
  'throttled',
  'aws-error',
  'error',
];

/** A read that answered with `value`. */
export const seen = <T>(value: T): Observation<T> => ({ ok: true, value });
/** A read that failed for `reason`. */
export const unread = (reason: ReadFailureReason = 'timeout'): Observation<never> => ({
  ok: false,
  error: `read failed: ${reason}`,
  reason,
});

/** A writable primary, serving. */
export const WRITABLE: DbStatus = { exists: true, status: 'available', role: 'primary', writable: true, writeFenced: false };
/** A fenced replica. */
export const REPLICA: DbStatus = { exists: true, status: 'available', role: 'replica', writable: false, writeFenced: true };
/** A group with healthy targets. */
export const SERVING_COMPUTE: CapacityStatus = { min: 2, desired: 2, max: 4, inService: 2, healthyTargets: 2 };
/** An endpoint taking traffic, healthy. */
export const TAKING_TRAFFIC: EndpointGroupStatus = { trafficDialPercent: 100, endpointWeight: 128, healthy: true };

/** A read of `value`, weighted towards `good` so that a healthy region turns up often enough for properties about it to be tested. */
const observation = <T>(good: T, value: fc.Arbitrary<T>): fc.Arbitrary<Observation<T>> =>
  fc.oneof(
    { arbitrary: fc.constant(seen(good)), weight: 2 },
    { arbitrary: value.map((v) => seen(v)), weight: 1 },
    { arbitrary: fc.constantFrom(...READ_FAILURE_REASONS).map((r) => unread(r)), weight: 1 },
  );

const db: fc.Arbitrary<DbStatus> = fc.record({
  exists: fc.boolean(),
  status: fc.constantFrom('available', 'modifying', 'rebooting'),
  role: fc.constantFrom('primary' as const, 'replica' as const),
  writable: fc.boolean(),
  writeFenced: fc.boolean(),
});
const compute: fc.Arbitrary<CapacityStatus> = fc.record({
  min: fc.nat(4),
  desired: fc.nat(4),
  max: fc.integer({ min: 4, max: 8 }),
  inService: fc.nat(4),
  healthyTargets: fc.nat(4),
});
const traffic: fc.Arbitrary<EndpointGroupStatus> = fc.record({
  trafficDialPercent: fc.constantFrom(0, 50, 100),
  endpointWeight: fc.constantFrom(0, 128, 255),
  healthy: fc.boolean(),
});

/** Anything that may have been observed of the two regions, good, bad or unread. */
export const regionObservations: fc.Arbitrary<RegionObservation[]> = fc
  .tuple(
    fc.record({
      database: observation(WRITABLE, db),
      compute: observation(SERVING_COMPUTE, compute),
      traffic: observation(TAKING_TRAFFIC, traffic),
    }),
    fc.record({
      database: observation(WRITABLE, db),
      compute: observation(SERVING_COMPUTE, compute),
      traffic: observation(TAKING_TRAFFIC, traffic),
    }),
  )
  .map(([p, s]) => [
    { role: 'primary', region: 'us-east-1', ...p },
    { role: 'secondary', region: 'eu-west-1', ...s },
  ]);
