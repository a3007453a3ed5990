import type { ReadOnlySetting } from '../ports.js';
import { changedAt, lastAtOrBefore } from './history.js';
import type { LatencyModel, Range } from './latency.js';
import { drawIn, type Rng } from './random.js';
import type { Association, SimDb, SimDbSettings, SimParameterGroup } from './sim-db.js';

export type { SimDb, SimDbSettings, SimParameterGroup } from './sim-db.js';

/**
 * RDS for MySQL in the simulator, as AWS documents it (see `aws-behaviours/rds-and-aurora.md`):
 * instances with a history of names, statuses and roles; DB parameter groups as resources of
 * their own whose `read_only` changes reach every member asynchronously; associations that wait
 * for a reboot; promotion; replication lag. Every change is a timestamped record, so any past
 * moment can be inspected (the drills' invariant audits do).
 */

/** The engine's default for `read_only` in RDS MySQL groups. */
export const DEFAULT_PARAMETER_GROUP = 'default.mysql8.4';

const nameFrom = (name: SimDb['names'][number]): number => name.from;
/** A backup retention change is in force once it is done. */
const backupDoneAt = (backup: SimDb['backups'][number]): number => backup.doneAt;

/** The RDS side of a simulated world. */
export class SimRds {
  readonly dbs: SimDb[] = [];
  readonly groups = new Map<string, SimParameterGroup>();
  private nextKey = 1;
  private seq = 0;

  constructor(
    private readonly latency: LatencyModel,
    private readonly rng: Rng,
    /** Whether a region's data plane is up at a moment. */
    private readonly regionUp: (region: string, t: number) => boolean,
  ) {}

  draw(label: string, range: Range): number {
    return drawIn(this.rng, label, range);
  }

  // ---- parameter groups ------------------------------------------------------------------

  addGroup(region: string, name: string, initial: ReadOnlySetting = 'default', isDefault = false): SimParameterGroup {
    const key = `${region}:${name}`;
    const existing = this.groups.get(key);
    if (existing) return existing;
    const group: SimParameterGroup = { region, name, isDefault, initial, changes: [] };
    this.groups.set(key, group);
    return group;
  }

  group(region: string, name: string): SimParameterGroup | undefined {
    return this.groups.get(`${region}:${name}`);
  }

  /** ModifyDBParameterGroup / ResetDBParameterGroup of `read_only`, made at `t`. */
  setReadOnly(group: SimParameterGroup, value: ReadOnlySetting, t: number): void {
    group.changes.push({ at: t, value, seq: this.seq++ });
  }

  /** The group's own setting at `t` (what DescribeDBParameters shows). */
  groupSetting(group: SimParameterGroup, t: number): ReadOnlySetting {
    return lastAtOrBefore(group.changes, t, changedAt)?.value ?? group.initial;
  }

  // ---- instances -------------------------------------------------------------------------

  addDb(input: {
    region: string;
    id: string;
    role: 'primary' | 'replica';
    sourceKey?: number | undefined;
    createdAt: number;
    availableAt: number;
    group: string;
    settings: SimDbSettings;
    backupDays: number;
    catchUp?: SimDb['catchUp'];
    clusterKey?: number | undefined;
  }): SimDb {
    const db: SimDb = {
      key: this.nextKey++,
      region: input.region,
      names: [{ id: input.id, from: input.createdAt }],
      baseRole: input.role,
      sourceKey: input.sourceKey,
      createdAt: input.createdAt,
      availableAt: input.availableAt,
      settings: input.settings,
      initialBackupDays: input.backupDays,
      associations: [{ at: input.createdAt, group: input.group, needsReboot: false }],
      reboots: [],
      backups: [],
      catchUp: input.catchUp,
      clusterKey: input.clusterKey,
    };
    this.dbs.push(db);
    return db;
  }

  idAt(db: SimDb, t: number): string | undefined {
    return t >= db.createdAt ? lastAtOrBefore(db.names, t, nameFrom)?.id : undefined;
  }

  findDb(region: string, id: string, t: number): SimDb | undefined {
    return this.dbs.find((d) => d.region === region && this.idAt(d, t) === id);
  }

  source(db: SimDb): SimDb | undefined {
    return db.sourceKey === undefined ? undefined : this.dbs.find((d) => d.key === db.sourceKey);
  }

  roleAt(db: SimDb, t: number): 'primary' | 'replica' {
    return db.promotion && t >= db.promotion.writableAt ? 'primary' : db.baseRole;
  }

  rebootingAt(db: SimDb, t: number): boolean {
    return db.reboots.some((r) => t >= r.at && t < r.doneAt);
  }

  statusAt(db: SimDb, t: number): string {
    if (t < db.availableAt) return 'creating';
    if (db.renaming && t >= db.renaming.at && t < db.renaming.doneAt) return 'renaming';
    if (this.rebootingAt(db, t)) return 'rebooting';
    const p = db.promotion;
    if (p && t >= p.modifyingAt && t < p.rebootingAt) return 'modifying';
    if (p && t >= p.rebootingAt && t < p.writableAt) return 'rebooting';
    if (db.backups.some((b) => t >= b.at && t < b.doneAt)) return 'modifying';
    return 'available';
  }

  backupRetentionAt(db: SimDb, t: number): number {
    return lastAtOrBefore(db.backups, t, backupDoneAt)?.days ?? db.initialBackupDays;
  }

  /**
   * The association in effect at `t`: the newest one made at creation or applied by a reboot
   * that finished after it was made. A newer one that waits for a reboot is `pending`.
   */
  associationAt(db: SimDb, t: number): { inEffect: Association; joinedAt: number; pending?: Association | undefined } {
    let inEffect = db.associations[0]!;
    let joinedAt = inEffect.at;
    let pending: Association | undefined;
    for (const a of db.associations.slice(1)) {
      if (a.at > t) break;
      if (!a.needsReboot) {
        inEffect = a;
        joinedAt = a.at;
        pending = undefined;
        continue;
      }
      const reboot = db.reboots.find((r) => r.at >= a.at && r.doneAt <= t);
      if (reboot) {
        inEffect = a;
        joinedAt = reboot.doneAt;
        pending = undefined;
      } else pending = a;
    }
    return { inEffect, joinedAt, pending };
  }

  /** When a group change reaches this instance: after its own apply delay, or when it joins the group. */
  private appliedAt(db: SimDb, change: SimParameterGroup['changes'][number], joinedAt: number): number {
    return change.at >= joinedAt ? change.at + this.draw(`pg-apply:${db.key}:${change.seq}`, this.latency.parameterApplyMs) : joinedAt;
  }

  /** The `read_only` setting in effect on the instance at `t`, and RDS's `ParameterApplyStatus`. */
  parametersAt(db: SimDb, t: number): { group: string; setting: ReadOnlySetting; effective: ReadOnlySetting; applyStatus: string } {
    const { inEffect, joinedAt, pending } = this.associationAt(db, t);
    const group = this.group(db.region, inEffect.group);
    if (!group) return { group: inEffect.group, setting: 'default', effective: 'default', applyStatus: 'in-sync' };
    let effective: ReadOnlySetting = lastAtOrBefore(group.changes, joinedAt, changedAt)?.value ?? group.initial;
    let applying = false;
    for (const c of group.changes) {
      if (c.at > t) break;
      const applied = this.appliedAt(db, c, joinedAt);
      if (applied <= t) effective = c.value;
      else applying = true;
    }
    // The setting shown is that of the group a reboot will apply, if one is waiting.
    const shown = pending ? this.group(db.region, pending.group) : group;
    const setting = shown ? this.groupSetting(shown, t) : 'default';
    return {
      group: pending?.group ?? group.name,
      setting,
      effective,
      applyStatus: pending ? 'pending-reboot' : applying ? 'applying' : 'in-sync',
    };
  }

  /** Whether the instance refuses writes at `t` (read_only in effect: on, or the default on a replica). */
  readOnlyAt(db: SimDb, t: number): boolean {
    const { effective } = this.parametersAt(db, t);
    return effective === 'on' || (effective === 'default' && this.roleAt(db, t) === 'replica');
  }

  writableAt(db: SimDb, t: number): boolean {
    return (
      this.regionUp(db.region, t) && this.roleAt(db, t) === 'primary' && this.statusAt(db, t) === 'available' && !this.readOnlyAt(db, t)
    );
  }

  /**
   * When the instance last became read-only (for a source: no writes reach its replicas after
   * it), if it is at `t`. Read-only-ness changes only at a parameter change reaching the instance,
   * a reboot that applies a group, a promotion: the moment is found among those, exactly.
   */
  readOnlySince(db: SimDb, t: number): number | undefined {
    if (!this.readOnlyAt(db, t)) return undefined;
    const moments = new Set<number>([db.createdAt]);
    for (const r of db.reboots) moments.add(r.doneAt);
    if (db.promotion) moments.add(db.promotion.writableAt);
    for (const a of db.associations) {
      const group = this.group(db.region, a.group);
      for (const c of group?.changes ?? []) {
        moments.add(c.at);
        moments.add(this.appliedAt(db, c, db.createdAt));
        for (const r of db.reboots) moments.add(this.appliedAt(db, c, r.doneAt));
      }
    }
    const candidates = [...moments].filter((m) => m <= t).sort((a, b) => b - a);
    for (const m of candidates) if (m <= db.createdAt || !this.readOnlyAt(db, m - 1)) return m;
    return db.createdAt;
  }

  private sampledLagMs(db: SimDb, t: number, lag: { fixed?: Range | undefined }): number {
    const bucket = Math.floor(t / 10_000);
    if (lag.fixed) return this.draw(`lag:${db.key}:${bucket}`, lag.fixed);
    const burst = this.rng.at(`burst:${db.key}:${bucket}`) < this.latency.replicaLagBurstChance;
    return this.draw(`lag:${db.key}:${bucket}`, burst ? this.latency.replicaLagBurstMs : this.latency.replicaLagMs);
  }

  /**
   * The replica's lag behind its source at `t`, in ms; undefined for a primary. It freezes when
   * the source's region fails (-1 in CloudWatch: replication stopped), drains to zero once no
   * writes reach the source (it is read-only), and starts high on a new replica.
   */
  lagMsAt(
    db: SimDb,
    t: number,
    options: { fixed?: Range | undefined; outageFrom: (region: string, t: number) => number | undefined },
  ): number | undefined {
    if (this.roleAt(db, t) !== 'replica' || t < db.availableAt) return undefined;
    const source = this.source(db);
    if (!source) return undefined;
    const outage = options.outageFrom(source.region, t);
    if (outage !== undefined) return this.sampledLagMs(db, outage, options);
    const fencedSince = this.readOnlySince(source, t);
    const base = (at: number) => {
      const normal = this.sampledLagMs(db, at, options);
      const c = db.catchUp;
      if (!c || at >= c.until) return normal;
      return normal + Math.round(c.lagMs * ((c.until - at) / (c.until - db.availableAt)));
    };
    if (fencedSince !== undefined) return Math.max(0, base(fencedSince) - (t - fencedSince));
    return base(t);
  }

  /** Whether replication runs at `t`. */
  replicatingAt(db: SimDb, t: number): boolean | undefined {
    if (this.roleAt(db, t) !== 'replica') return undefined;
    const source = this.source(db);
    return source !== undefined && this.regionUp(source.region, t) && t >= db.availableAt;
  }
}
