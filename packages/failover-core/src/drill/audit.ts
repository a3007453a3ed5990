import type { LeaseGrant } from '../sim/sim-state-store.js';
import type { SimDb } from '../sim/sim-rds.js';
import type { SimWorld } from '../sim/world.js';
import { secs } from '../util/tenths.js';

/**
 * The invariants a drill is judged by, measured on the simulated world (not on the engine's own
 * account of itself), second by second.
 */
export interface Invariants {
  /**
   * The most promotions AWS accepted during one run: replica promotions on the RDS tier; on the
   * Aurora tier, global failovers and switchovers AWS accepted (each moves the writer once).
   */
  readonly promotionsPerOperationMax: number;
  /**
   * Seconds during which users reached a region whose application was up but whose database
   * took no writes (read-only, promoting), over both regions, counting established connections
   * that stay on a region after it stops taking new ones.
   */
  readonly unsafeTrafficSeconds: number;
  /**
   * Seconds during which two databases of the application took writes at once, not counting a
   * failed region's return (see {@link Audit.returnExposureSeconds}).
   */
  readonly bothWritableSeconds: number;
  /**
   * Seconds, outside any run in progress, during which no user was served although a region
   * could have served them (its application up and its database writable): a healthy region
   * left unrouted by our own doing.
   */
  readonly selfInflictedOutageSeconds: number;
  /** Mutating calls that landed after a later lease epoch had been granted to another controller. */
  readonly leaseViolations: number;
}

/**
 * The most each invariant may reach and still hold: one promotion in a run, nothing of the
 * others. In the order the issue lists the invariants.
 */
export const INVARIANT_LIMITS: Readonly<Record<keyof Invariants, number>> = {
  promotionsPerOperationMax: 1,
  unsafeTrafficSeconds: 0,
  bothWritableSeconds: 0,
  selfInflictedOutageSeconds: 0,
  leaseViolations: 0,
};

/** The invariants that did not hold (above their limit), in the order of {@link INVARIANT_LIMITS}. */
export function brokenInvariants(inv: Invariants): (keyof Invariants)[] {
  return (Object.keys(INVARIANT_LIMITS) as (keyof Invariants)[]).filter((key) => inv[key] > INVARIANT_LIMITS[key]);
}

/** What an audit measured. */
export interface Audit {
  readonly invariants: Invariants;
  /**
   * Seconds a database was writable beside another because its region had just come back from
   * an outage, up to {@link RETURN_GRACE_MS} after the return: AWS gives no way to fence a
   * database whose region does not answer, so the controller fences it at its first look after
   * the return. Anything longer counts in `bothWritableSeconds`.
   */
  readonly returnExposureSeconds: number;
}

/**
 * How long after a region returns from an outage its old database may stay writable without
 * counting against the engine: one controller invocation's gap (EventBridge's minute), a call
 * that was still timing out when the region came back (10 s), and the parameter change reaching
 * the instance (up to 10 s in the latency model), rounded up.
 */
export const RETURN_GRACE_MS = 90_000;

/** A run's span: from its start until it ended (undefined: it had not by the end of the audit). */
export interface Span {
  readonly from: number;
  readonly to: number | undefined;
}

/** What {@link auditWorld} needs. */
export interface AuditInput {
  readonly world: SimWorld;
  readonly from: number;
  readonly to: number;
  /** The runs, each from its start to its final end. */
  readonly runs: readonly Span[];
  /** Lease epochs granted on the control record. */
  readonly grants: readonly LeaseGrant[];
  readonly stepMs?: number;
}

/**
 * A region at one moment, each part looked at once: whether its database (the one its config
 * entry names) takes writes, and whether its app is up. The app is looked at only when asked, as
 * each check below asks in turn: a look at a region's targets applies a capacity loss that has
 * ended, so looking where the checks do not would change when replacements are launched.
 */
interface RegionAt {
  readonly writable: boolean;
  app(): boolean;
}

function regionAt(world: SimWorld, region: string, t: number, writableDbs: readonly SimDb[]): RegionAt {
  const db = world.slotDb(region, t);
  let up: boolean | undefined;
  return { writable: db !== undefined && writableDbs.includes(db), app: () => (up ??= world.endpointUp(region, t)) };
}

const inAny = (spans: readonly Span[], t: number, end: number): boolean => spans.some((s) => t >= s.from && t <= (s.to ?? end));

/** Measures the invariants over `[from, to)`, one sample a second. */
export function auditWorld(input: AuditInput): Audit {
  const { world, from, to, runs } = input;
  const step = input.stepMs ?? 1_000;
  const regions = [world.config.primary.region, world.config.secondary.region];
  const secondsOf = (n: number) => secs(n * step);
  const returns = (world.faults.outages ?? []).filter((o) => o.to !== undefined).map((o) => ({ region: o.region, at: o.to as number }));
  const lingerUntil = new Map<string, number>();
  const routedBefore = new Map<string, boolean>();
  let unsafe = 0;
  let both = 0;
  let exposure = 0;
  let selfInflicted = 0;
  for (let t = from; t < to; t += step) {
    const routed = new Set(world.routedTo(t));
    const reached: string[] = [];
    for (const r of regions) {
      if (routed.has(r)) reached.push(r);
      else if (routedBefore.get(r)) lingerUntil.set(r, t + world.draw(`linger:${r}:${t}`, world.latency.connectionLingerMs));
      if (!routed.has(r) && (lingerUntil.get(r) ?? 0) > t) reached.push(r);
      routedBefore.set(r, routed.has(r));
    }
    const writable = world.rds.dbs.filter((d) => world.writableAt(d, t));
    const at = new Map(regions.map((r) => [r, regionAt(world, r, t, writable)]));
    const state = (r: string): RegionAt => at.get(r)!;
    if (reached.some((r) => state(r).app() && !state(r).writable)) unsafe++;

    if (writable.length >= 2) {
      const excused = writable.some((d) => returns.some((ret) => ret.region === d.region && t >= ret.at && t < ret.at + RETURN_GRACE_MS));
      if (excused) exposure++;
      else both++;
    }

    if (!inAny(runs, t, to)) {
      const canServe = (r: string) => state(r).writable && state(r).app();
      const served = reached.some(canServe);
      const could = regions.some(canServe);
      if (!served && could) selfInflicted++;
    }
  }
  return {
    invariants: {
      promotionsPerOperationMax: promotionsPerRun(world, runs, to),
      unsafeTrafficSeconds: secondsOf(unsafe),
      bothWritableSeconds: secondsOf(both),
      selfInflictedOutageSeconds: secondsOf(selfInflicted),
      leaseViolations: leaseViolations(world, input.grants),
    },
    returnExposureSeconds: secondsOf(exposure),
  };
}

/**
 * When AWS accepted each promotion: each accepted PromoteReadReplica call on the RDS tier; each
 * failover or switchover AWS started on the Aurora tier (an idempotent repeat of the call starts none).
 */
export function promotionTimes(world: SimWorld): number[] {
  if (world.aurora) return world.aurora.operations.map((op) => op.requestedAt);
  return world.callLog.filter((c) => c.name === 'promoteReplica').map((c) => c.at);
}

/** Promotions AWS accepted during a run's span (until `end` if it had not ended). */
export function promotionsIn(world: SimWorld, span: Span, end: number): number {
  return promotionTimes(world).filter((at) => at >= span.from && at <= (span.to ?? end)).length;
}

function promotionsPerRun(world: SimWorld, runs: readonly Span[], end: number): number {
  const counts = runs.map((r) => promotionsIn(world, r, end));
  // A promotion outside every run would be a bug of its own: count it as a run of its own.
  const stray = promotionTimes(world).filter((at) => !inAny(runs, at, end)).length;
  return Math.max(0, stray, ...counts);
}

/** Calls whose maker's lease had already passed to a later epoch when they landed. */
function leaseViolations(world: SimWorld, grants: readonly LeaseGrant[]): number {
  let violations = 0;
  for (const call of world.callLog) {
    if (call.caller === undefined) continue;
    const mine = grants.filter((g) => g.owner === call.caller && g.at <= call.at).at(-1);
    const later = grants.some((g) => g.at < call.at && g.epoch > (mine?.epoch ?? 0) && g.key === mine?.key);
    if (!mine || later) violations++;
  }
  return violations;
}
