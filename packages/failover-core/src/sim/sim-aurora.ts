/**
 * An Aurora MySQL global database in the simulator, as AWS documents it (aws-behaviours/rds-and-aurora.md §7;
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html):
 * one cluster per region, each with one instance (kept in `SimRds` with the other instances) and its own
 * cluster parameter group; the writer role, which moves only by a managed failover or switchover; the
 * `FailoverState` of one in progress; a recovered old primary re-added on a new volume after a snapshot
 * of the old one; the global lag; the global writer endpoint that follows the writer through DNS.
 * Every change is a timestamped record, read as of any moment, like the rest of the world.
 */
import type { LatencyModel, Range } from './latency.js';
import { ClusterParameters } from './aurora-parameters.js';
import { within, type Faults, type Window } from './faults.js';
import type { SimDb } from './sim-db.js';
import type { SimRds } from './sim-rds.js';

/** One region's DB cluster of the global database. */
export interface SimCluster {
  readonly key: number;
  readonly region: string;
  readonly id: string;
  /** Its DB cluster parameter group (the write fence lives there). */
  readonly parameterGroup: string;
  /** Its one DB instance: the writer of the primary cluster, the reader of a secondary. */
  readonly instance: SimDb;
  /** Automated backup retention: Aurora's snapshot of an old volume is deleted with the automated backups. */
  readonly backupDays: number;
}

/** A failover or switchover AWS accepted, with the moments drawn for it when it was asked for. */
export interface GlobalOperation {
  readonly kind: 'failover' | 'switchover';
  readonly from: SimCluster;
  readonly to: SimCluster;
  readonly requestedAt: number;
  /** The waiter race: `FailoverState` shows from here on. */
  readonly shownAt: number;
  /** `pending` until here, then `failing-over` / `switching-over` (a switchover makes the primary read-only here). */
  readonly activeAt: number;
  /** When the writer changes and `FailoverState` clears, unless the operation fails first. */
  readonly plannedEndAt: number;
  /** `auroraFailoverFailsOnce` or `auroraSwitchoverCancelledOnce` applied to it: it ends at `plannedEndAt` without a new writer. */
  readonly failsByFault: boolean;
  /** The global writer endpoint resolves to the new writer this long after the writer changed. */
  readonly dnsMs: number;
  /** A failover's old primary: snapshot of its old volume, then its rebuild on a new one. */
  readonly snapshotMs: number;
  readonly rejoinMs: number;
  /** Set by a layout that starts after a failover: when the old primary's region came back. */
  readonly returnedAt?: number | undefined;
}

/** How an operation ended (or will, as far as the world knows now). */
export interface OperationEnd {
  readonly at: number;
  readonly completed: boolean;
}

/** What became of a failover's old primary once its region came back. */
export interface Rejoin {
  /** When its region answered again (Infinity: not yet known to). */
  readonly returnAt: number;
  /** When Aurora re-added it (`pending-resync`) and snapshotted its old volume. */
  readonly addedAt: number;
  /** When it is a `connected` secondary again. */
  readonly connectedAt: number;
  /** True when AWS did not re-add it (fault `auroraOldPrimaryRemoved`). */
  readonly removed: boolean;
  /** The system snapshot of the old volume, unless Aurora could not take one. */
  readonly snapshot?: { readonly id: string; readonly createdAt: number; readonly availableAt: number; readonly deletedAt: number };
}

/** What the model reads of the world around it. */
export interface AuroraEnvironment {
  readonly rds: SimRds;
  readonly latency: LatencyModel;
  draw(label: string, range: Range): number;
  regionUp(region: string, t: number): boolean;
  faults(): Faults;
}

const DAY_MS = 86_400_000;

/** The `<time>` of a snapshot name as Aurora writes it (`2024-01-31-12-05`). */
const snapshotTime = (t: number) => new Date(t).toISOString().slice(0, 16).replace(/[T:]/g, '-');

/** The global database of a world on the Aurora tier. */
export class SimAurora {
  readonly clusters: SimCluster[] = [];
  readonly operations: GlobalOperation[] = [];
  /** Manual cluster snapshots (copies of the old volumes' system snapshots). */
  readonly copies: {
    readonly region: string;
    readonly id: string;
    readonly sourceId: string;
    readonly at: number;
    readonly availableAt: number;
  }[] = [];
  readonly parameters: ClusterParameters;
  private initialWriter: SimCluster | undefined;

  /** The writer before any failover or switchover. */
  get firstWriter(): SimCluster {
    return this.initialWriter!;
  }

  constructor(
    readonly globalClusterIdentifier: string,
    readonly engineVersion: string,
    private readonly env: AuroraEnvironment,
  ) {
    this.parameters = new ClusterParameters(env);
  }

  /** Adds a member cluster around `instance`; the first one added is the writer. */
  addCluster(input: Omit<SimCluster, 'key'>): SimCluster {
    const cluster: SimCluster = { ...input, key: this.clusters.length + 1 };
    this.clusters.push(cluster);
    this.initialWriter ??= cluster;
    this.parameters.addGroup(input.region, input.parameterGroup);
    return cluster;
  }

  /** The cluster of an Aurora instance. */
  clusterOf(db: SimDb): SimCluster | undefined {
    return db.clusterKey === undefined ? undefined : this.clusters.find((c) => c.key === db.clusterKey);
  }

  /** The cluster named `id` in `region`. */
  cluster(region: string, id: string): SimCluster | undefined {
    return this.clusters.find((c) => c.region === region && c.id === id);
  }

  /** How `op` ends: a switchover fails when either region fails before it is done; a failover as drawn. */
  end(op: GlobalOperation): OperationEnd {
    if (op.kind === 'switchover') {
      const broken = [op.from.region, op.to.region]
        .map((region) => this.firstOutage(region, op.requestedAt, op.plannedEndAt))
        .filter((at): at is number => at !== undefined);
      if (broken.length) return { at: Math.min(...broken), completed: false };
    }
    return { at: op.plannedEndAt, completed: !op.failsByFault };
  }

  /** The start of the first outage of `region` that begins in [from, to), if any. */
  private firstOutage(region: string, from: number, to: number): number | undefined {
    const starts = (this.env.faults().outages ?? []).filter((o) => o.region === region && o.from >= from && o.from < to).map((o) => o.from);
    return starts.length ? Math.min(...starts) : undefined;
  }

  /** Operations that had changed the writer by `t`, oldest first. */
  completedBy(t: number): GlobalOperation[] {
    return this.operations.filter((op) => {
      const e = this.end(op);
      return e.completed && e.at <= t;
    });
  }

  /** The writer (primary) cluster at `t`. */
  writerAt(t: number): SimCluster {
    return this.completedBy(t).at(-1)?.to ?? this.initialWriter!;
  }

  /** The operation in progress at `t`, if any. */
  inProgress(t: number): GlobalOperation | undefined {
    return this.operations.find((op) => op.requestedAt <= t && t < this.end(op).at);
  }

  /** `GlobalCluster.FailoverState` at `t`: nothing until AWS shows it (the waiter race), then pending, then the operation's own status. */
  failoverStateAt(t: number): { status: string; from: SimCluster; to: SimCluster; isDataLossAllowed: boolean } | undefined {
    const op = this.inProgress(t);
    if (!op || t < op.shownAt) return undefined;
    const status = t < op.activeAt ? 'pending' : op.kind === 'failover' ? 'failing-over' : 'switching-over';
    return { status, from: op.from, to: op.to, isDataLossAllowed: op.kind === 'failover' };
  }

  /** The first moment from `t` on at which `region` answers (Infinity when an outage in force never ends). */
  private regionBackAt(region: string, t: number): number {
    let at = t;
    for (let i = 0; i < 100; i++) {
      const outage = (this.env.faults().outages ?? []).find(
        (o: Window & { region: string }) => o.region === region && o.from <= at && (o.to === undefined || at < o.to),
      );
      if (!outage) return at;
      if (outage.to === undefined) return Number.POSITIVE_INFINITY;
      at = outage.to;
    }
    return at;
  }

  /** What became of the old primary of the failover `op` (completed), as the faults in force say. */
  rejoinOf(op: GlobalOperation): Rejoin {
    const faults = this.env.faults();
    const returnAt = op.returnedAt ?? this.regionBackAt(op.from.region, this.end(op).at);
    const addedAt = returnAt + (faults.auroraFencingFailsMs ?? 0);
    const snapshot =
      faults.auroraNoFailoverSnapshot || !Number.isFinite(addedAt)
        ? undefined
        : {
            id: `rds:unplanned-global-failover-${op.from.id}-${snapshotTime(addedAt)}`,
            createdAt: addedAt,
            availableAt: addedAt + op.snapshotMs,
            deletedAt: addedAt + op.from.backupDays * DAY_MS,
          };
    const connectedAt = faults.auroraRejoinStuck ? Number.POSITIVE_INFINITY : addedAt + op.snapshotMs + op.rejoinMs;
    return { returnAt, addedAt, connectedAt, removed: faults.auroraOldPrimaryRemoved === true, snapshot };
  }

  /** The last completed operation that involved `c` by `t`, if it was a failover away from `c`: `c` is its old primary. */
  lastFailoverFrom(c: SimCluster, t: number): GlobalOperation | undefined {
    const last = this.completedBy(t)
      .filter((op) => op.from === c || op.to === c)
      .at(-1);
    return last?.kind === 'failover' && last.from === c ? last : undefined;
  }

  /** Whether `c` is a member at `t` (an old primary AWS did not re-add is not). */
  isMember(c: SimCluster, t: number): boolean {
    const op = this.lastFailoverFrom(c, t);
    return !(op && this.rejoinOf(op).removed);
  }

  /** `SynchronizationStatus` of a member at `t`: `pending-resync` from a failover away from it until it is rebuilt. */
  syncStatusAt(c: SimCluster, t: number): 'connected' | 'pending-resync' {
    const op = this.lastFailoverFrom(c, t);
    return op && t < this.rejoinOf(op).connectedAt ? 'pending-resync' : 'connected';
  }

  /** Whether `c` still takes writes at `t` as an old primary Aurora failed to fence (fault `auroraFencingFailsMs`). */
  private unfencedOldPrimary(c: SimCluster, t: number): boolean {
    const op = this.lastFailoverFrom(c, t);
    if (!op) return false;
    const r = this.rejoinOf(op);
    return t >= r.returnAt && t < r.addedAt;
  }

  /** `c`'s instance status at `t`: the instance's own, or the cluster's while AWS moves the writer. */
  statusAt(c: SimCluster, t: number): string {
    const own = this.env.rds.statusAt(c.instance, t);
    if (own !== 'available') return own;
    const op = this.inProgress(t);
    if (op && op.kind === 'failover' && op.to === c && t >= op.activeAt) return 'failing-over';
    // UNCONFIRMED: which status each cluster shows while a switchover runs; 'modifying' is in the documented list.
    if (op && op.kind === 'switchover' && (op.to === c || op.from === c) && t >= op.activeAt) return 'modifying';
    return own;
  }

  /** Whether the primary cluster is read-only at `t` because a switchover from it is under way. */
  private switchingAway(c: SimCluster, t: number): boolean {
    const op = this.inProgress(t);
    return op?.kind === 'switchover' && op.from === c && t >= op.activeAt;
  }

  /** Whether `c`'s instance takes writes at `t`: the writer (or an unfenced old primary), its region up, available, no fence in effect. */
  writableAt(c: SimCluster, t: number): boolean {
    if (!this.env.regionUp(c.region, t) || this.env.rds.statusAt(c.instance, t) !== 'available') return false;
    if (this.parameters.at(c, t).effective === 'on') return false;
    return (this.writerAt(t) === c && !this.switchingAway(c, t)) || this.unfencedOldPrimary(c, t);
  }

  /** When the writer `c` stopped taking new writes, if it has by `t` (its fence, or a switchover away from it). */
  private quietSince(c: SimCluster, t: number): number | undefined {
    const fenced = this.parameters.onSince(c, t);
    const op = this.inProgress(t);
    const switching = op?.kind === 'switchover' && op.from === c && t >= op.activeAt ? op.activeAt : undefined;
    const all = [fenced, switching].filter((x): x is number => x !== undefined);
    return all.length ? Math.min(...all) : undefined;
  }

  /**
   * The global lag of the secondary `c` at `t`, in ms, as `AuroraGlobalDBRPOLag` reports it: none for the
   * writer ("only available for secondary Regions") or a member being rebuilt; frozen at the failure when
   * the writer's region is out; draining once the writer takes no writes.
   */
  lagMsAt(c: SimCluster, t: number, fixed: Range | undefined): number | undefined {
    const writer = this.writerAt(t);
    if (writer === c || this.syncStatusAt(c, t) !== 'connected' || !this.isMember(c, t)) return undefined;
    const base = (at: number) => this.env.draw(`global-lag:${c.key}:${Math.floor(at / 10_000)}`, fixed ?? this.env.latency.globalLagMs);
    const outage = (this.env.faults().outages ?? []).find((o) => o.region === writer.region && within(o, t))?.from;
    if (outage !== undefined) return base(outage);
    const quiet = this.quietSince(writer, t);
    return quiet === undefined ? base(t) : Math.max(0, base(quiet) - (t - quiet));
  }

  /** The system snapshots of `c`'s old volumes that exist at `t`, oldest first. */
  systemSnapshots(c: SimCluster, t: number): NonNullable<Rejoin['snapshot']>[] {
    return this.operations
      .filter((op) => op.kind === 'failover' && op.from === c && this.end(op).completed)
      .map((op) => this.rejoinOf(op).snapshot)
      .filter((s): s is NonNullable<Rejoin['snapshot']> => s !== undefined && s.createdAt <= t && t < s.deletedAt);
  }
}
