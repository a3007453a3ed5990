import type { DrConfig, RegionResources, RegionRole } from '../config/schema.js';
import { changedAt, lastAtOrBefore } from './history.js';
import type { Range } from './latency.js';
import { DEFAULT_LATENCY, type LatencyModel } from './latency.js';
import { drawIn, Rng } from './random.js';
import { ResourceNotFoundError } from '../errors.js';
import { HEALTH_RECORD_TTL_SECONDS, type HealthCheckReading } from '../ports.js';
import { DEFAULT_PARAMETER_GROUP, SimRds, type SimDb, type SimDbSettings } from './sim-rds.js';

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
  /**
   * A mutating call takes effect but its answer is lost with this probability: the caller sees
   * the call time out (a call that fails yet takes effect).
   */
  readonly lostResponseRate?: number;
  /** PromoteReadReplica is rejected (for example, the replica's storage is full). */
  readonly promotionFails?: boolean;
  /** The region has no capacity for the instance type: launches never reach InService. */
  readonly noCapacityRegion?: string;
  /** The region loses its instances (terminated) and cannot launch more during the window; then the group refills. */
  readonly capacityLoss?: readonly (Window & { readonly region: string })[];
  /** Capacity of `region` is lost `afterMs` after a promotion lands there, for `forMs`. */
  readonly capacityLossAfterPromotion?: { readonly region: string; readonly afterMs: number; readonly forMs: number };
  /** Replica lag is held in this range, in milliseconds (replication falling behind). */
  readonly replicaLagMs?: Range;
  /**
   * A maintenance reboot of the region's database (a Single-AZ instance is `rebooting` and takes
   * no connections): the app's health path fails meanwhile, so every health signal sees the
   * region down, while its control plane answers and reports the reboot.
   * Source: RDS user guide, "Maintaining a DB instance" and "Rebooting a DB instance".
   */
  readonly maintenance?: readonly (Window & { readonly region: string })[];
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
  /**
   * A failover has happened and was contained: the secondary serves; the primary region is back
   * with a stale database, fenced, and no capacity.
   */
  | 'failed-over';

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
  /** Capacity-loss windows whose end has been applied (the group refilled). */
  readonly losses: Set<number>;
}

/** One Route 53 checker's view: the check it last made, what it concluded, and the disagreeing checks in a row. */
interface CheckerView {
  k: number;
  healthy: boolean;
  streak: number;
}

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

/** The value in force at `t`; before the first change, the first value. */
const valueAt = (changes: readonly { at: number; value: number }[], t: number): number =>
  (lastAtOrBefore(changes, t, changedAt) ?? changes[0])?.value ?? 0;

const within = (w: Window, t: number): boolean => t >= w.from && (w.to === undefined || t < w.to);

/** The settings a database of `r` was deployed with (the DR config's), with the constructs' defaults. */
export function deployedSettings(r: RegionResources): SimDbSettings {
  const s = r.dbSettings;
  return {
    ...s,
    storageEncrypted: s?.storageEncrypted ?? true,
    copyTagsToSnapshot: s?.copyTagsToSnapshot ?? true,
    tags: s?.tags ?? {},
    allocatedStorageGiB: 20,
  };
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
  readonly asgs = new Map<string, SimAsg>();
  readonly groups = new Map<string, SimEndpointGroup>();
  /** Calls that failed (throttled, rejected, unreachable), by port call name. */
  readonly failedCalls: Record<string, number> = {};
  /** Every accepted mutating call, in the order they landed. */
  readonly callLog: CallRecord[] = [];
  private faultSet: Faults;
  private launches = 0;

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
    this.build(options.layout ?? 'steady', options.pilotLightEndpoint ?? { weight: 0, dialPercent: 0 });
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

  private build(layout: Layout, pilot: { readonly weight: number; readonly dialPercent: number }): void {
    const { primary, secondary } = this.config;
    const longAgo = this.startAt - 86_400_000;
    const serving: RegionRole = layout === 'steady' ? 'primary' : 'secondary';
    for (const r of [primary, secondary]) {
      this.rds.addGroup(r.region, DEFAULT_PARAMETER_GROUP, 'default', true);
      this.rds.addGroup(r.region, r.dbParameterGroupName);
      if (r.retiredDbParameterGroupName) this.rds.addGroup(r.region, r.retiredDbParameterGroupName, 'on');
    }
    const servingR = this.config[serving];
    const servingDb = this.rds.addDb({
      region: servingR.region,
      id: servingR.dbInstanceIdentifier,
      role: 'primary',
      createdAt: longAgo,
      availableAt: longAgo,
      group: servingR.dbParameterGroupName,
      settings: deployedSettings(servingR),
      backupDays: servingR.dbSettings?.backupRetentionDays ?? 7,
    });
    if (layout === 'steady') {
      this.rds.addDb({
        region: secondary.region,
        id: secondary.dbInstanceIdentifier,
        role: 'replica',
        sourceKey: servingDb.key,
        createdAt: longAgo,
        availableAt: longAgo,
        group: secondary.dbParameterGroupName,
        settings: deployedSettings(secondary),
        backupDays: secondary.dbSettings?.backupRetentionDays ?? 7,
      });
    } else {
      // The old primary came back after the outage and was contained: a standalone instance
      // with stale data, fenced through its own group.
      this.rds.addDb({
        region: primary.region,
        id: primary.dbInstanceIdentifier,
        role: 'primary',
        createdAt: longAgo,
        availableAt: longAgo,
        group: primary.dbParameterGroupName,
        settings: deployedSettings(primary),
        backupDays: primary.dbSettings?.backupRetentionDays ?? 7,
      });
      const group = this.rds.group(primary.region, primary.dbParameterGroupName);
      if (group) this.rds.setReadOnly(group, 'on', longAgo);
    }
    for (const role of ['primary', 'secondary'] as const) {
      const r = this.config[role];
      const active = role === serving;
      const asg: SimAsg = {
        region: r.region,
        name: r.autoScalingGroupName,
        min: active ? r.capacity.min : 0,
        desired: active ? r.capacity.desired : 0,
        max: r.capacity.max,
        instances: [],
        losses: new Set(),
      };
      this.asgs.set(r.region, asg);
      if (active) this.launch(asg, longAgo, r.capacity.desired);
      this.groups.set(r.region, {
        region: r.region,
        dial: [{ at: longAgo, value: active ? 100 : pilot.dialPercent }],
        // The pilot light's endpoint has weight 0: Global Accelerator ignores the dial on
        // failover, so only weight 0 keeps traffic off a region whose database is read-only.
        weight: [{ at: longAgo, value: active ? 128 : pilot.weight }],
      });
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

  /** Windows in which the region's app cannot serve: outages, 5xx, its database's maintenance. */
  private appDownWindows(region: string): (Window & { readonly region: string })[] {
    return [...(this.faultSet.outages ?? []), ...(this.faultSet.alb5xx ?? []), ...(this.faultSet.maintenance ?? [])].filter(
      (w) => w.region === region,
    );
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
    return this.rds.writableAt(db, t);
  }

  /** The replica's lag behind its source at `t`, in ms; undefined for a primary. */
  lagMsAt(db: SimDb, t: number): number | undefined {
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

  private capacityLost(region: string, t: number): (Window & { readonly region: string }) | undefined {
    return (this.faultSet.capacityLoss ?? []).find((w) => w.region === region && within(w, t));
  }

  /**
   * Launches instances. Without capacity for the instance type they never come InService; during
   * a capacity loss, Auto Scaling keeps trying, so they come InService a launch time after the
   * loss ends. Source: EC2 Auto Scaling user guide, "Benefits": the group retries, in another AZ,
   * until capacity is found; re:Post (AWS-answered), "will retry until an instance becomes available".
   */
  launch(asg: SimAsg, at: number, count: number): void {
    for (let i = 0; i < count; i++) {
      const n = this.launches++;
      const lost = this.capacityLost(asg.region, at);
      const from = lost ? lost.to : at;
      asg.instances.push({
        launchedAt: at,
        inServiceAt:
          this.faultSet.noCapacityRegion === asg.region || from === undefined
            ? Number.POSITIVE_INFINITY
            : from + this.draw(`launch:${n}`, this.latency.instanceLaunchMs),
        firstCheckMs: this.draw(`first-check:${n}`, [1_000, this.latency.albHealthIntervalMs]),
      });
    }
  }

  /**
   * Applies the capacity losses that began by `t`: instances running at the loss are terminated
   * then; when it ends, the group launches replacements up to its desired capacity.
   */
  private reconcile(asg: SimAsg, t: number): void {
    (this.faultSet.capacityLoss ?? []).forEach((w, i) => {
      if (w.region !== asg.region || w.from > t) return;
      for (const inst of asg.instances) {
        if (inst.launchedAt < w.from && (inst.terminatedAt === undefined || inst.terminatedAt > w.from)) inst.terminatedAt = w.from;
      }
      if (w.to === undefined || w.to > t || asg.losses.has(i)) return;
      asg.losses.add(i);
      const end = w.to;
      const live = asg.instances.filter((x) => x.launchedAt <= end && (x.terminatedAt === undefined || x.terminatedAt > end)).length;
      if (asg.desired > live) this.launch(asg, end, asg.desired - live);
    });
  }

  liveInstances(asg: SimAsg, t: number): Instance[] {
    this.reconcile(asg, t);
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

  /** Live instances in service whose first health check has passed. */
  private checkedTargets(region: string, t: number): number {
    const asg = this.asgs.get(region);
    return asg ? this.liveInstances(asg, t).filter((i) => i.inServiceAt + i.firstCheckMs <= t).length : 0;
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
    return recovering ? 0 : this.checkedTargets(region, t);
  }

  // ---- Global Accelerator -----------------------------------------------------------------

  /**
   * Whether the region's endpoint can take a request at `t`: the region up, no 5xx, its database
   * not in a maintenance reboot, a target in service. An ALB whose targets are all unhealthy
   * routes to all of them (it fails open), so a recovered app answers before its targets are
   * counted healthy again.
   */
  endpointUp(region: string, t: number): boolean {
    return this.regionUp(region, t) && this.appDownSince(region, t) === undefined && this.checkedTargets(region, t) >= 1;
  }

  /**
   * Global Accelerator's view of the region's ALB endpoint: it follows the ALB's target health
   * (healthy while the target group has a healthy target), `gaFollowsAlbMs` behind.
   */
  gaHealthy(region: string, t: number): boolean {
    return this.healthyTargetsAt(region, t - this.draw(`ga-follows:${region}`, this.latency.gaFollowsAlbMs)) >= 1;
  }

  // ---- Route 53 -----------------------------------------------------------------------------

  private readonly checkerViews = new Map<string, CheckerView[]>();

  /** The region whose health check has this id (the config's), if any. */
  regionOfHealthCheck(healthCheckId: string): string | undefined {
    return [this.config.primary, this.config.secondary].find((r) => r.route53HealthCheck?.healthCheckId === healthCheckId)?.region;
  }

  /** Whether Route 53's checkers, aggregated, count the region's endpoint healthy at `t`. */
  route53Healthy(region: string, t: number): boolean {
    const {
      route53Checkers: n,
      route53IntervalMs: interval,
      route53FailureThreshold: threshold,
      route53HealthyShare: share,
    } = this.latency;
    const views = this.checkerViews.get(region) ?? [];
    this.checkerViews.set(region, views);
    const first = this.startAt - interval * (threshold + 1);
    let healthy = 0;
    for (let c = 0; c < n; c++) {
      const phase = Math.floor(this.rng.at(`r53-phase:${region}:${c}`) * interval);
      const checkTime = (k: number) => first + phase + k * interval;
      // Views only move forward in time; a look into the past starts over.
      const prior = views[c];
      let view: CheckerView =
        prior && checkTime(prior.k) <= t ? { ...prior } : { k: -1, healthy: this.endpointUp(region, first), streak: 0 };
      for (let k = view.k + 1; checkTime(k) <= t; k++) {
        const up = this.endpointUp(region, checkTime(k));
        const streak = up === view.healthy ? 0 : view.streak + 1;
        view = streak >= threshold ? { k, healthy: up, streak: 0 } : { k, healthy: view.healthy, streak };
      }
      views[c] = view;
      if (view.healthy) healthy++;
    }
    return healthy / n > share;
  }

  /**
   * What a resolver in the controller's region answers for the region's health record at `t`:
   * Route 53's verdict `route53DnsMs` after it changed, as cached by the resolver for the
   * record's TTL. The age is how long the answer sat in the cache plus one checker interval.
   */
  route53Answer(region: string | undefined, t: number): HealthCheckReading {
    if (region === undefined) throw new ResourceNotFoundError('Route 53 health check', 'global');
    const ttl = HEALTH_RECORD_TTL_SECONDS * 1000;
    const phase = Math.floor(this.rng.at(`dns-phase:${region}`) * ttl);
    const fetchedAt = t - ((((t - phase) % ttl) + ttl) % ttl);
    const healthy = this.route53Healthy(region, fetchedAt - this.draw(`r53-dns:${region}`, this.latency.route53DnsMs));
    return { healthy, ageMs: t - fetchedAt + this.latency.route53IntervalMs };
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
