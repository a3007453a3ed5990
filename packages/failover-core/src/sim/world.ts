import type { DrConfig, RegionRole } from '../config/schema.js';
import type { Range } from './latency.js';
import { DEFAULT_LATENCY, type LatencyModel } from './latency.js';
import { Rng } from './random.js';

/** A window of time, in epoch milliseconds; `to` undefined means "until the end of the run". */
export interface Window {
  readonly from: number;
  readonly to?: number | undefined;
}

/** Faults the simulator can inject. Any combination may be active at once. */
export interface Faults {
  /** The whole region fails: its data plane and its control plane (calls time out). */
  readonly outages?: readonly (Window & { readonly region: string })[];
  /** The region's ALB answers 5xx: targets fail health checks; the control plane still answers. */
  readonly alb5xx?: readonly (Window & { readonly region: string })[];
  /** Probes of this region's health URL fail at random with `failureRate` (a lossy, flapping network path). */
  readonly flappingProbe?: Window & { readonly region: string; readonly failureRate: number };
  /** Control-plane calls (RDS, Auto Scaling, Global Accelerator) are throttled with this probability. */
  readonly throttleRate?: number;
  /** PromoteReadReplica is rejected (for example, the replica's storage is full). */
  readonly promotionFails?: boolean;
  /** The region has no capacity for the instance type: launches never reach InService. */
  readonly noCapacityRegion?: string;
  /** Replica lag is held in this range, in milliseconds (replication falling behind). */
  readonly replicaLagMs?: Range;
}

/** Options of a {@link SimWorld}. */
export interface SimWorldOptions {
  /** Seed of every random draw. @default 1 */
  readonly seed?: number;
  /** Overrides of the default latency model. */
  readonly latency?: Partial<LatencyModel>;
  /** @default 'steady' */
  readonly layout?: Layout;
  /**
   * Routing of the pilot light's endpoint at the start. Ours is weight 0, dial 0; a topology
   * that lets Global Accelerator fail over by itself (as the original brief's did) has a weight.
   * @default { weight: 0, dialPercent: 0 }
   */
  readonly pilotLightEndpoint?: { readonly weight: number; readonly dialPercent: number };
}

/** Where the world starts. */
export type Layout =
  /** Primary serves; the secondary is a pilot light (replica, ASG at 0, endpoint weight 0). */
  | 'steady'
  /** A failover has happened: the secondary serves; the primary region is back with a stale database and no capacity. */
  | 'failed-over';

interface DbName {
  readonly id: string;
  readonly from: number;
}

interface Promotion {
  readonly requestedAt: number;
  readonly modifyingAt: number;
  readonly rebootingAt: number;
  readonly writableAt: number;
}

/** A simulated RDS instance; every change is kept as a timestamped record so the past stays computable. */
export interface SimDb {
  readonly key: number;
  readonly region: string;
  readonly names: DbName[];
  readonly baseRole: 'primary' | 'replica';
  readonly sourceKey?: number | undefined;
  readonly createdAt: number;
  readonly availableAt: number;
  promotion?: Promotion | undefined;
  readonly fence: { at: number; fenced: boolean }[];
  renaming?: { at: number; doneAt: number } | undefined;
}

interface Instance {
  readonly launchedAt: number;
  readonly inServiceAt: number;
  /** Time from InService to the first passing ALB health check. */
  readonly firstCheckMs: number;
  terminatedAt?: number | undefined;
}

/** A simulated Auto Scaling group. */
export interface SimAsg {
  readonly region: string;
  readonly name: string;
  min: number;
  desired: number;
  max: number;
  readonly instances: Instance[];
}

interface GaCache {
  k: number;
  status: boolean;
  streak: number;
}

/** A simulated Global Accelerator endpoint group with one ALB endpoint. */
export interface SimEndpointGroup {
  readonly region: string;
  readonly dial: { at: number; value: number }[];
  readonly weight: { at: number; value: number }[];
  readonly phaseMs: number;
  cache?: GaCache | undefined;
}

const valueAt = (changes: readonly { at: number; value: number }[], t: number): number => {
  let v = changes[0]?.value ?? 0;
  for (const c of changes) if (c.at <= t) v = c.value;
  return v;
};

const within = (w: Window, t: number): boolean => t >= w.from && (w.to === undefined || t < w.to);

/**
 * Two AWS regions, modelled over virtual time: databases, Auto Scaling groups, ALB target
 * health, Global Accelerator routing and health, and the faults in {@link Faults}. State changes
 * are recorded with their times, so any past moment can be inspected (the invariant audits do).
 */
export class SimWorld {
  readonly latency: LatencyModel;
  readonly rng: Rng;
  readonly dbs: SimDb[] = [];
  readonly asgs = new Map<string, SimAsg>();
  readonly groups = new Map<string, SimEndpointGroup>();
  /** Mutating calls that AWS accepted, by port call name. */
  readonly actions: Record<string, number> = {};
  /** Calls that failed (throttled, rejected, unreachable), by port call name. */
  readonly failedCalls: Record<string, number> = {};
  private nextKey = 1;
  private launches = 0;

  constructor(
    readonly config: DrConfig,
    readonly startAt: number,
    readonly faults: Faults = {},
    options: SimWorldOptions = {},
  ) {
    this.latency = { ...DEFAULT_LATENCY, ...options.latency };
    this.rng = new Rng(options.seed ?? 1);
    this.build(options.layout ?? 'steady', options.pilotLightEndpoint ?? { weight: 0, dialPercent: 0 });
  }

  private build(layout: Layout, pilot: { readonly weight: number; readonly dialPercent: number }): void {
    const { primary, secondary } = this.config;
    const longAgo = this.startAt - 86_400_000;
    const serving: RegionRole = layout === 'steady' ? 'primary' : 'secondary';

    const servingDb = this.addDb(this.config[serving].region, this.config[serving].dbInstanceIdentifier, 'primary', undefined, longAgo, longAgo);
    if (layout === 'steady') {
      this.addDb(secondary.region, secondary.dbInstanceIdentifier, 'replica', servingDb.key, longAgo, longAgo);
    } else {
      // The old primary came back after the outage: a standalone instance with stale data.
      this.addDb(primary.region, primary.dbInstanceIdentifier, 'primary', undefined, longAgo, longAgo);
    }
    for (const role of ['primary', 'secondary'] as const) {
      const r = this.config[role];
      const active = role === serving;
      const asg: SimAsg = { region: r.region, name: r.autoScalingGroupName, min: active ? r.capacity.min : 0, desired: active ? r.capacity.desired : 0, max: r.capacity.max, instances: [] };
      this.asgs.set(r.region, asg);
      if (active) this.launch(asg, longAgo, r.capacity.desired);
      this.groups.set(r.region, {
        region: r.region,
        dial: [{ at: longAgo, value: active ? 100 : pilot.dialPercent }],
        // The pilot light's endpoint has weight 0: Global Accelerator ignores the dial on
        // failover, so only weight 0 keeps traffic off a region whose database is read-only.
        weight: [{ at: longAgo, value: active ? 128 : pilot.weight }],
        phaseMs: Math.floor(this.rng.at(`ga-phase:${role}`) * this.latency.gaHealthIntervalMs),
      });
    }
  }

  /** Adds an instance record (used when building the world and by CreateDBInstanceReadReplica). */
  addDb(region: string, id: string, role: 'primary' | 'replica', sourceKey: number | undefined, createdAt: number, availableAt: number): SimDb {
    const db: SimDb = { key: this.nextKey++, region, names: [{ id, from: createdAt }], baseRole: role, sourceKey, createdAt, availableAt, fence: [] };
    this.dbs.push(db);
    return db;
  }

  /** A draw from a range, from a stream named for what it decides. */
  draw(label: string, range: Range): number {
    return Math.round(range[0] + (range[1] - range[0]) * this.rng.at(label));
  }

  // ---- regions and faults ---------------------------------------------------------------

  regionUp(region: string, t: number): boolean {
    return !(this.faults.outages ?? []).some((o) => o.region === region && within(o, t));
  }

  /** When the region's app became unable to serve, if it cannot at `t`. */
  appDownSince(region: string, t: number): number | undefined {
    const active = [...(this.faults.outages ?? []), ...(this.faults.alb5xx ?? [])].filter((w) => w.region === region && within(w, t));
    return active.length ? Math.min(...active.map((w) => w.from)) : undefined;
  }

  serves5xx(region: string, t: number): boolean {
    return (this.faults.alb5xx ?? []).some((w) => w.region === region && within(w, t));
  }

  // ---- databases --------------------------------------------------------------------------

  idAt(db: SimDb, t: number): string | undefined {
    let id: string | undefined;
    for (const n of db.names) if (n.from <= t) id = n.id;
    return t >= db.createdAt ? id : undefined;
  }

  findDb(region: string, id: string, t: number): SimDb | undefined {
    return this.dbs.find((d) => d.region === region && this.idAt(d, t) === id);
  }

  roleAt(db: SimDb, t: number): 'primary' | 'replica' {
    return db.promotion && t >= db.promotion.writableAt ? 'primary' : db.baseRole;
  }

  statusAt(db: SimDb, t: number): string {
    if (t < db.availableAt) return 'creating';
    if (db.renaming && t >= db.renaming.at && t < db.renaming.doneAt) return 'renaming';
    const p = db.promotion;
    if (p && t >= p.modifyingAt && t < p.rebootingAt) return 'modifying';
    if (p && t >= p.rebootingAt && t < p.writableAt) return 'rebooting';
    return 'available';
  }

  fencedAt(db: SimDb, t: number): boolean {
    let fenced = false;
    for (const f of db.fence) if (f.at <= t) fenced = f.fenced;
    return fenced;
  }

  writableAt(db: SimDb, t: number): boolean {
    return this.regionUp(db.region, t) && this.roleAt(db, t) === 'primary' && this.statusAt(db, t) === 'available' && !this.fencedAt(db, t);
  }

  private sampledLagMs(db: SimDb, t: number): number {
    const bucket = Math.floor(t / 10_000);
    if (this.faults.replicaLagMs) return this.draw(`lag:${db.key}:${bucket}`, this.faults.replicaLagMs);
    const burst = this.rng.at(`burst:${db.key}:${bucket}`) < this.latency.replicaLagBurstChance;
    return this.draw(`lag:${db.key}:${bucket}`, burst ? this.latency.replicaLagBurstMs : this.latency.replicaLagMs);
  }

  /** The replica's lag behind its source at `t`, in ms; undefined for a primary. */
  lagMsAt(db: SimDb, t: number): number | undefined {
    if (this.roleAt(db, t) !== 'replica' || db.sourceKey === undefined || t < db.availableAt) return undefined;
    const source = this.dbs.find((d) => d.key === db.sourceKey);
    if (!source) return undefined;
    // Replication stops when the source's region fails: the lag freezes at that moment.
    const outage = (this.faults.outages ?? []).find((o) => o.region === source.region && within(o, t));
    if (outage) return this.sampledLagMs(db, outage.from);
    // No writes reach a fenced source: the replica drains its backlog and reaches zero.
    const fence = [...source.fence].reverse().find((f) => f.at <= t);
    if (fence?.fenced) return Math.max(0, this.sampledLagMs(db, fence.at) - (t - fence.at));
    return this.sampledLagMs(db, t);
  }

  /**
   * How far behind its source the replicated bucket was at `t`, in ms: objects written in this
   * window had not reached the other region yet (S3 CRR takes seconds; RTC bounds it at 15 min).
   */
  bucketLagMsAt(t: number): number {
    return this.draw(`s3-lag:${Math.floor(t / 10_000)}`, this.latency.s3ReplicationMs);
  }

  // ---- compute and target health ----------------------------------------------------------

  launch(asg: SimAsg, at: number, count: number): void {
    for (let i = 0; i < count; i++) {
      const n = this.launches++;
      const noCapacity = this.faults.noCapacityRegion === asg.region;
      asg.instances.push({
        launchedAt: at,
        inServiceAt: noCapacity ? Number.POSITIVE_INFINITY : at + this.draw(`launch:${n}`, this.latency.instanceLaunchMs),
        firstCheckMs: this.draw(`first-check:${n}`, [1_000, this.latency.albHealthIntervalMs]),
      });
    }
  }

  liveInstances(asg: SimAsg, t: number): Instance[] {
    return asg.instances.filter((i) => i.launchedAt <= t && (i.terminatedAt === undefined || i.terminatedAt > t));
  }

  setCapacity(asg: SimAsg, t: number, min: number, desired: number, max: number): void {
    asg.min = min;
    asg.max = max;
    asg.desired = desired;
    const live = this.liveInstances(asg, t);
    if (live.length < desired) this.launch(asg, t, desired - live.length);
    for (const extra of live.slice(desired)) extra.terminatedAt = t;
  }

  inServiceAt(asg: SimAsg, t: number): number {
    return this.liveInstances(asg, t).filter((i) => i.inServiceAt <= t).length;
  }

  healthyTargetsAt(region: string, t: number): number {
    const asg = this.asgs.get(region);
    if (!asg) return 0;
    const downSince = this.appDownSince(region, t);
    if (downSince !== undefined && t - downSince >= this.latency.albUnhealthyThreshold * this.latency.albHealthIntervalMs) return 0;
    return this.liveInstances(asg, t).filter((i) => i.inServiceAt + i.firstCheckMs <= t).length;
  }

  // ---- Global Accelerator -----------------------------------------------------------------

  /** What Global Accelerator's health check of the region's ALB would see at `t`. */
  endpointUp(region: string, t: number): boolean {
    return this.regionUp(region, t) && !this.serves5xx(region, t) && this.healthyTargetsAt(region, t) >= 1;
  }

  /** Global Accelerator's view of the endpoint: it changes after `gaHealthThreshold` checks in a row disagree. */
  gaHealthy(region: string, t: number): boolean {
    const g = this.groups.get(region);
    if (!g) return false;
    const interval = this.latency.gaHealthIntervalMs;
    const first = this.startAt - interval * this.latency.gaHealthThreshold;
    const checkTime = (k: number) => first + g.phaseMs + k * interval;
    let cache = g.cache && checkTime(g.cache.k) <= t ? { ...g.cache } : { k: -1, status: this.endpointUp(region, first), streak: 0 };
    for (let k = cache.k + 1; checkTime(k) <= t; k++) {
      const up = this.endpointUp(region, checkTime(k));
      const streak = up === cache.status ? 0 : cache.streak + 1;
      cache = streak >= this.latency.gaHealthThreshold ? { k, status: up, streak: 0 } : { k, status: cache.status, streak };
    }
    g.cache = cache;
    return cache.status;
  }

  dialAt(region: string, t: number): number {
    return valueAt(this.groups.get(region)?.dial ?? [], t);
  }

  weightAt(region: string, t: number): number {
    return valueAt(this.groups.get(region)?.weight ?? [], t);
  }

  /**
   * Regions Global Accelerator sends new connections to at `t`: healthy groups by traffic dial;
   * if no healthy group has a dial above 0, any healthy group (failover ignores the dial); if none
   * is healthy, every endpoint (it fails open). An endpoint of weight 0 never takes traffic.
   */
  routedTo(t: number): string[] {
    const candidates = [...this.groups.values()].filter((g) => this.weightAt(g.region, t) > 0);
    const healthy = candidates.filter((g) => this.gaHealthy(g.region, t));
    const dialled = healthy.filter((g) => this.dialAt(g.region, t) > 0);
    const chosen = dialled.length ? dialled : healthy.length ? healthy : candidates;
    return chosen.map((g) => g.region);
  }

  /** Whether `region` could serve a request correctly at `t`: a writable database and a healthy target. */
  canServe(region: string, t: number): boolean {
    const resources = this.config.primary.region === region ? this.config.primary : this.config.secondary;
    const db = this.findDb(region, resources.dbInstanceIdentifier, t);
    return db !== undefined && this.writableAt(db, t) && this.healthyTargetsAt(region, t) >= 1;
  }

  /**
   * Times in [from, to) at which traffic reached `region` while it could not serve: its database
   * not writable or no healthy target. Sampled every `stepMs`.
   */
  trafficViolations(region: string, from: number, to: number, stepMs = 1_000): number[] {
    const bad: number[] = [];
    for (let t = from; t < to; t += stepMs) {
      if (this.routedTo(t).includes(region) && !this.canServe(region, t)) bad.push(t);
    }
    return bad;
  }

  /** Counts one accepted mutating call. */
  count(call: string): void {
    this.actions[call] = (this.actions[call] ?? 0) + 1;
  }

  /** Counts one failed call. */
  countFailure(call: string): void {
    this.failedCalls[call] = (this.failedCalls[call] ?? 0) + 1;
  }
}
