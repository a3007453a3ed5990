import type { DrConfig, RegionResources } from '../config/schema.js';
import { valueAt } from './history.js';
import { DEFAULT_LATENCY, type LatencyModel, type Range } from './latency.js';
import { drawIn, Rng } from './random.js';
import type { HealthCheckReading } from '../ports.js';
import { Route53Model } from './route53-model.js';
import { SimRds, type SimDb } from './sim-rds.js';
import { ComputeModel, type Instance, type SimAsg } from './compute-model.js';
import { within, type Faults, type Window } from './faults.js';
import type { SimAurora } from './sim-aurora.js';
import { auroraOf } from './aurora-layout.js';
import { endpointDownWindows } from './aurora-endpoint.js';

export type { Faults, Window } from './faults.js';
export { deployedSettings, type Layout, type SimWorldOptions } from './layout.js';
export type { SimAsg } from './compute-model.js';
import { buildLayout, type SimWorldOptions } from './layout.js';

/** A simulated Global Accelerator endpoint group with one ALB endpoint. */
export interface SimEndpointGroup {
  readonly region: string;
  readonly dial: { at: number; value: number }[];
  readonly weight: { at: number; value: number }[];
}

/** One mutating call that AWS accepted, for the audits: where, when it landed, and who made it. */
export interface CallRecord {
  readonly name: string;
  readonly region: string;
  readonly at: number;
  readonly caller?: string | undefined;
}

/**
 * Two AWS regions, modelled over virtual time: databases and their parameter groups (`SimRds`),
 * Auto Scaling groups, ALB target health, Global Accelerator routing and health, and the faults
 * in {@link Faults}. State changes are recorded with their times, so any past moment can be
 * inspected (the invariant audits do). Faults can be added as a drill goes on.
 */
export class SimWorld {
  readonly latency: LatencyModel;
  readonly rng: Rng;
  readonly rds: SimRds;
  /** The Aurora global database, on the `aurora-global` tier (its instances are in {@link rds} too). */
  readonly aurora: SimAurora | undefined;
  readonly asgs = new Map<string, SimAsg>();
  readonly groups = new Map<string, SimEndpointGroup>();
  /** Calls that failed (throttled, rejected, unreachable), by port call name. */
  readonly failedCalls: Record<string, number> = {};
  /** Every accepted mutating call, in the order they landed. */
  readonly callLog: CallRecord[] = [];
  private faultSet: Faults;
  private readonly compute = new ComputeModel(this);

  constructor(
    readonly config: DrConfig,
    readonly startAt: number,
    faults: Faults = {},
    options: SimWorldOptions = {},
  ) {
    this.latency = { ...DEFAULT_LATENCY, ...options.latency };
    this.rng = new Rng(options.seed ?? 1);
    this.faultSet = faults;
    this.rds = new SimRds(this.latency, this.rng, (region, t) => this.regionUp(region, t));
    this.aurora = auroraOf(config, this, () => this.faultSet);
    buildLayout(this, options.layout ?? 'steady', options.pilotLightEndpoint ?? { weight: 0, dialPercent: 0 }, options.warmStandby);
    // A maintenance window reboots the database it finds: only once the databases exist.
    this.faultSet = { ...faults, maintenance: [] };
    this.inject({ maintenance: faults.maintenance ?? [] });
  }

  /** The faults in force (as injected so far). */
  get faults(): Faults {
    return this.faultSet;
  }

  /** Mutating calls that AWS accepted, by port call name (counted from {@link callLog}). */
  get actions(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.callLog) counts[c.name] = (counts[c.name] ?? 0) + 1;
    return counts;
  }

  /** Adds faults from now on (a drill injects the fault of the operation it is about when that operation starts). */
  inject(more: Faults): void {
    const f = this.faultSet;
    this.faultSet = {
      ...f,
      ...more,
      outages: [...(f.outages ?? []), ...(more.outages ?? [])],
      alb5xx: [...(f.alb5xx ?? []), ...(more.alb5xx ?? [])],
      capacityLoss: [...(f.capacityLoss ?? []), ...(more.capacityLoss ?? [])],
      maintenance: [...(f.maintenance ?? []), ...(more.maintenance ?? [])],
    };
    for (const m of more.maintenance ?? []) {
      const db = this.slotDb(m.region, m.from);
      if (db) db.reboots.push({ at: m.from, doneAt: m.to ?? Number.POSITIVE_INFINITY });
    }
  }

  /** A draw from a range, from a stream named for what it decides. */
  draw(label: string, range: Range): number {
    return drawIn(this.rng, label, range);
  }

  /** The config entry of a region. */
  resources(region: string): RegionResources {
    return this.config.primary.region === region ? this.config.primary : this.config.secondary;
  }

  // ---- regions and faults ---------------------------------------------------------------

  regionUp(region: string, t: number): boolean {
    return !(this.faultSet.outages ?? []).some((o) => o.region === region && within(o, t));
  }

  /** When the region's outage began, if it is out at `t`. */
  outageFrom(region: string, t: number): number | undefined {
    return (this.faultSet.outages ?? []).find((o) => o.region === region && within(o, t))?.from;
  }

  /** Windows in which the region's app cannot serve: outages, 5xx, its database's maintenance, an Aurora writer out of reach. */
  private appDownWindows(region: string): Window[] {
    const f = this.faultSet;
    const aurora = this.aurora ? endpointDownWindows(this.aurora, f.outages ?? []) : [];
    return [...[...(f.outages ?? []), ...(f.alb5xx ?? []), ...(f.maintenance ?? [])].filter((w) => w.region === region), ...aurora];
  }

  /** When the region's app became unable to serve, if it cannot at `t`. */
  appDownSince(region: string, t: number): number | undefined {
    const active = this.appDownWindows(region).filter((w) => within(w, t));
    return active.length ? Math.min(...active.map((w) => w.from)) : undefined;
  }

  /** Whether the region's database is in a maintenance reboot at `t`. */
  inMaintenance(region: string, t: number): boolean {
    return (this.faultSet.maintenance ?? []).some((w) => w.region === region && within(w, t));
  }

  serves5xx(region: string, t: number): boolean {
    return (this.faultSet.alb5xx ?? []).some((w) => w.region === region && within(w, t));
  }

  /** The latest end of every fault window injected so far (undefined if one never ends). */
  faultsEnd(): number | undefined {
    const windows = [
      ...(this.faultSet.outages ?? []),
      ...(this.faultSet.alb5xx ?? []),
      ...(this.faultSet.capacityLoss ?? []),
      ...(this.faultSet.maintenance ?? []),
    ];
    if (windows.some((w) => w.to === undefined)) return undefined;
    return Math.max(this.startAt, ...windows.map((w) => w.to as number));
  }

  // ---- databases --------------------------------------------------------------------------

  /** The instance named `id` in `region` at `t`. */
  findDb(region: string, id: string, t: number): SimDb | undefined {
    return this.rds.findDb(region, id, t);
  }

  writableAt(db: SimDb, t: number): boolean {
    const cluster = this.aurora?.clusterOf(db);
    return cluster ? this.aurora!.writableAt(cluster, t) : this.rds.writableAt(db, t);
  }

  /** The replica's (or Aurora secondary's) lag behind its source at `t`, in ms; undefined for a primary. */
  lagMsAt(db: SimDb, t: number): number | undefined {
    const cluster = this.aurora?.clusterOf(db);
    if (cluster) return this.aurora!.lagMsAt(cluster, t, this.faultSet.replicaLagMs);
    return this.rds.lagMsAt(db, t, { fixed: this.faultSet.replicaLagMs, outageFrom: (region, at) => this.outageFrom(region, at) });
  }

  /**
   * How far behind its source the replicated bucket was at `t`, in ms: objects written in this
   * window had not reached the other region yet (S3 CRR takes seconds; RTC bounds it at 15 min).
   */
  bucketLagMsAt(t: number): number {
    return this.draw(`s3-lag:${Math.floor(t / 10_000)}`, this.latency.s3ReplicationMs);
  }

  // ---- compute and target health ----------------------------------------------------------

  /** Launches `count` instances into the group at `at` (see {@link ComputeModel.launch}). */
  launch(asg: SimAsg, at: number, count: number): void {
    this.compute.launch(asg, at, count);
  }

  /** The group's instances running at `t`, after the capacity losses that began by then. */
  liveInstances(asg: SimAsg, t: number): Instance[] {
    return this.compute.liveInstances(asg, t);
  }

  /** Sets the group's sizes at `t`: instances are launched or terminated to meet `desired`. */
  setCapacity(asg: SimAsg, t: number, min: number, desired: number, max: number): void {
    this.compute.setCapacity(asg, t, min, desired, max);
  }

  /** Instances of the group in service at `t`. */
  inServiceAt(asg: SimAsg, t: number): number {
    return this.compute.inServiceAt(asg, t);
  }

  /**
   * Targets the ALB counts healthy at `t`: none once the app has failed `albUnhealthyThreshold`
   * checks in a row, and none again until it has passed `albHealthyThreshold` after it recovers.
   */
  healthyTargetsAt(region: string, t: number): number {
    const { albHealthIntervalMs: interval, albUnhealthyThreshold, albHealthyThreshold } = this.latency;
    const downSince = this.appDownSince(region, t);
    if (downSince !== undefined && t - downSince >= albUnhealthyThreshold * interval) return 0;
    const recovering = this.appDownWindows(region).some(
      (w) =>
        w.to !== undefined && w.to <= t && w.to - w.from >= albUnhealthyThreshold * interval && t - w.to < albHealthyThreshold * interval,
    );
    return recovering ? 0 : this.compute.checkedTargets(region, t);
  }

  // ---- Global Accelerator -----------------------------------------------------------------

  /**
   * Whether the region's endpoint can take a request at `t`: the region up, no 5xx, its database
   * not in a maintenance reboot, a target in service. An ALB whose targets are all unhealthy
   * routes to all of them (it fails open), so a recovered app answers before its targets are
   * counted healthy again.
   */
  endpointUp(region: string, t: number): boolean {
    return this.regionUp(region, t) && this.appDownSince(region, t) === undefined && this.compute.checkedTargets(region, t) >= 1;
  }

  /**
   * Global Accelerator's view of the region's ALB endpoint: it follows the ALB's target health
   * (healthy while the target group has a healthy target), `gaFollowsAlbMs` behind.
   */
  gaHealthy(region: string, t: number): boolean {
    return this.healthyTargetsAt(region, t - this.draw(`ga-follows:${region}`, this.latency.gaFollowsAlbMs)) >= 1;
  }

  // ---- Route 53 -----------------------------------------------------------------------------

  private readonly route53 = new Route53Model(this);

  /** The region whose health check has this id (the config's), if any. */
  regionOfHealthCheck(healthCheckId: string): string | undefined {
    return [this.config.primary, this.config.secondary].find((r) => r.route53HealthCheck?.healthCheckId === healthCheckId)?.region;
  }

  /** Whether Route 53's checkers, aggregated, count the region's endpoint healthy at `t`. */
  route53Healthy(region: string, t: number): boolean {
    return this.route53.healthy(region, t);
  }

  /** What a resolver in the controller's region answers for the region's health record at `t` (see {@link Route53Model.answer}). */
  route53Answer(region: string | undefined, t: number): HealthCheckReading {
    return this.route53.answer(region, t);
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

  /** The database of a region's config entry at `t`. */
  slotDb(region: string, t: number): SimDb | undefined {
    return this.findDb(region, this.resources(region).dbInstanceIdentifier, t);
  }

  /** Whether `region` could serve a request correctly at `t`: its app up and its database writable. */
  canServe(region: string, t: number): boolean {
    const db = this.slotDb(region, t);
    return db !== undefined && this.writableAt(db, t) && this.endpointUp(region, t);
  }

  /** Counts one accepted mutating call. */
  count(call: string, region: string, at: number, caller?: string): void {
    this.callLog.push({ name: call, region, at, caller });
  }

  /** Counts one failed call. */
  countFailure(call: string): void {
    this.failedCalls[call] = (this.failedCalls[call] ?? 0) + 1;
  }
}
