import { NotReadyError, OperationRejectedError, RegionUnreachableError, ResourceNotFoundError, ThrottledError } from '../errors.js';
import type {
  AlarmRef,
  AlarmState,
  Alarms,
  AsgRef,
  CapacitySetting,
  CapacityStatus,
  Compute,
  Database,
  DbInstanceSummary,
  DbRef,
  DbStatus,
  EndpointGroupRef,
  EndpointGroupStatus,
  HealthChecks,
  Metrics,
  Notification,
  Notifier,
  Ports,
  Probe,
  ProbeResult,
  ProbeTarget,
  Readiness,
  StateStore,
  Traffic,
} from '../ports.js';
import { GLOBAL_ACCELERATOR_CONTROL_REGION } from '../names.js';
import { MemoryStateStore } from './memory-state-store.js';
import { DEFAULT_PARAMETER_GROUP, type SimDb } from './sim-rds.js';
import { makeSimMetrics, makeSimReadiness } from './sim-readiness.js';
import type { VirtualClock } from './virtual-clock.js';
import { deployedSettings, type SimWorld } from './world.js';

const MISSING: DbStatus = { exists: false, status: 'not-found', role: 'primary', writable: false, writeFenced: false };

/**
 * The simulator's implementation of every port, over one {@link SimWorld} and a virtual clock.
 * `forCaller` gives a controller its own view whose accepted calls are logged under its name,
 * for the audit of calls made after a lease passed to another controller.
 */
export class SimPorts implements Ports {
  readonly database: Database;
  readonly compute: Compute;
  readonly traffic: Traffic;
  readonly probe: Probe;
  readonly alarms: Alarms;
  readonly healthChecks: HealthChecks;
  /** Readiness reads over the world's readiness side (`simReadiness(world)`). */
  readonly readiness: Readiness;
  /** PutMetricData, kept in `simReadiness(world).published`. */
  readonly metrics: Metrics;
  readonly notifier: Notifier & { readonly sent: Notification[] };
  private readonly counter: { calls: number };

  constructor(
    readonly world: SimWorld,
    readonly clock: VirtualClock,
    readonly stateStore: StateStore = new MemoryStateStore(),
    private readonly caller?: string,
    shared?: { readonly counter: { calls: number }; readonly sent: Notification[] },
  ) {
    this.counter = shared?.counter ?? { calls: 0 };
    const sent = shared?.sent ?? [];
    this.notifier = { sent, notify: async (n) => void sent.push(n) };
    this.database = this.makeDatabase();
    this.compute = this.makeCompute();
    this.traffic = this.makeTraffic();
    this.probe = this.makeProbe();
    this.alarms = this.makeAlarms();
    this.healthChecks = this.makeHealthChecks();
    this.readiness = makeSimReadiness(world, (region, name, effect) => this.call(region, name, effect));
    this.metrics = makeSimMetrics(world, (region, name, effect) => this.call(region, name, effect));
  }

  /** The same world and store, with accepted calls logged as `caller`'s. */
  forCaller(caller: string): SimPorts {
    return new SimPorts(this.world, this.clock, this.stateStore, caller, { counter: this.counter, sent: this.notifier.sent });
  }

  /**
   * One control-plane call: network latency, then a timeout if the region is out, a throttle at
   * the configured rate, or the call's effect at the moment it lands; a mutating call's answer
   * may then be lost (`lostResponseRate`), so the caller sees a timeout for a call that landed.
   */
  private async call<T>(region: string, name: string, effect: (t: number) => T, mutating = false): Promise<T> {
    const n = this.counter.calls++;
    const w = this.world;
    await this.clock.sleep(w.draw(`api:${n}`, w.latency.apiCallMs));
    const t = this.clock.now();
    const unreachable = async () => {
      await this.clock.sleep(w.latency.unreachableTimeoutMs);
      w.countFailure(name);
      return new RegionUnreachableError(region, `${name}: ${region} did not answer within ${w.latency.unreachableTimeoutMs / 1000}s`);
    };
    if (!w.regionUp(region, t)) throw await unreachable();
    const rate = w.faults.throttleRate ?? 0;
    if (rate > 0 && w.rng.at(`throttle:${n}`) < rate) {
      w.countFailure(name);
      throw new ThrottledError(`${name}: Rate exceeded`);
    }
    const result = effect(t);
    if (!mutating) return result;
    w.count(name, region, t, this.caller);
    if (w.rng.at(`lost:${n}`) < (w.faults.lostResponseRate ?? 0)) throw await unreachable();
    return result;
  }

  private db(ref: DbRef, t: number): SimDb {
    const db = this.world.findDb(ref.region, ref.dbInstanceIdentifier, t);
    if (!db) throw new ResourceNotFoundError(`RDS instance ${ref.dbInstanceIdentifier}`, ref.region);
    return db;
  }

  private status(db: SimDb, t: number): DbStatus {
    const { rds } = this.world;
    const role = rds.roleAt(db, t);
    const lag = this.world.lagMsAt(db, t);
    const source = rds.source(db);
    const params = rds.parametersAt(db, t);
    const status = rds.statusAt(db, t);
    return {
      exists: true,
      status,
      role,
      sourceIdentifier: role === 'replica' && source ? rds.idAt(source, t) : undefined,
      writable: this.world.writableAt(db, t),
      writeFenced: params.setting === 'on' && params.applyStatus === 'in-sync',
      // CloudWatch reports ReplicaLag in whole seconds.
      replicaLagSeconds: lag === undefined ? undefined : Math.round(lag / 1000),
      replicating: rds.replicatingAt(db, t),
      parameterGroup: { name: params.group, applyStatus: params.applyStatus },
      readOnly: params.setting,
      backupRetentionDays: rds.backupRetentionAt(db, t),
      instanceClass: db.settings.instanceClass,
      allocatedStorageGiB: db.settings.allocatedStorageGiB,
      deletionProtection: db.settings.deletionProtection ?? false,
    };
  }

  private makeDatabase(): Database {
    const w = this.world;
    const { rds } = w;
    return {
      describe: (ref) =>
        this.call(ref.region, 'describeDbInstance', (t): DbStatus => {
          const db = w.findDb(ref.region, ref.dbInstanceIdentifier, t);
          return db ? this.status(db, t) : MISSING;
        }),
      promoteReplica: (ref, options = {}) =>
        this.call(
          ref.region,
          'promoteReplica',
          (t) => {
            const db = this.db(ref, t);
            if (w.faults.promotionFails)
              throw new OperationRejectedError(`InvalidDBInstanceState: ${ref.dbInstanceIdentifier} cannot be promoted (storage-full)`);
            // Already promoted or promoting: success, as the AWS adapter maps InvalidDBInstanceState.
            if (db.promotion || rds.roleAt(db, t) === 'primary') return;
            if (rds.statusAt(db, t) !== 'available')
              throw new NotReadyError(`${ref.dbInstanceIdentifier} is ${rds.statusAt(db, t)} and cannot be promoted yet`);
            db.promotion = {
              requestedAt: t,
              modifyingAt: t + w.draw(`promote-available:${db.key}`, w.latency.promoteStillAvailableMs),
              rebootingAt: t + w.draw(`promote-modifying:${db.key}`, w.latency.promoteModifyingMs),
              writableAt: t + w.draw(`promote-writable:${db.key}`, w.latency.promoteWritableMs),
            };
            if (options.backupRetentionDays !== undefined)
              db.backups.push({ at: t, doneAt: db.promotion.writableAt, days: options.backupRetentionDays });
            const loss = w.faults.capacityLossAfterPromotion;
            if (loss && loss.region === ref.region)
              w.inject({ capacityLoss: [{ region: loss.region, from: t + loss.afterMs, to: t + loss.afterMs + loss.forMs }] });
          },
          true,
        ),
      createReplica: (target, source) =>
        this.call(
          target.region,
          'createReplica',
          (t) => {
            if (w.findDb(target.region, target.dbInstanceIdentifier, t)) return;
            const src = this.db(source, t);
            // RDS: "Your source DB instance must have backup retention enabled."
            if (rds.backupRetentionAt(src, t) === 0)
              throw new OperationRejectedError(
                `InvalidDBInstanceState: automated backups are not enabled on ${source.dbInstanceIdentifier}`,
              );
            const r = w.resources(target.region);
            const availableAt = t + w.draw(`create-replica:${target.region}:${t}`, w.latency.createReplicaMs);
            rds.addDb({
              region: target.region,
              id: target.dbInstanceIdentifier,
              role: 'replica',
              sourceKey: src.key,
              createdAt: t,
              availableAt,
              // A cross-region replica gets the engine's default group unless one is named.
              group: rds.group(target.region, r.dbParameterGroupName) ? r.dbParameterGroupName : DEFAULT_PARAMETER_GROUP,
              settings: deployedSettings(r),
              // "RDS creates read replicas with backups disabled."
              backupDays: 0,
              catchUp: {
                lagMs: Math.min(availableAt - t, 600_000),
                until: availableAt + w.draw(`catch-up:${target.region}:${t}`, w.latency.replicaCatchUpMs),
              },
            });
          },
          true,
        ),
      retireInstance: (ref, newIdentifier) =>
        this.call(
          ref.region,
          'retireInstance',
          (t) => {
            if (!w.findDb(ref.region, ref.dbInstanceIdentifier, t) && w.findDb(ref.region, newIdentifier, t)) return;
            const db = this.db(ref, t);
            const retired = w.resources(ref.region).retiredDbParameterGroupName;
            if (!retired || !rds.group(ref.region, retired))
              throw new OperationRejectedError(`cannot retire ${ref.dbInstanceIdentifier}: no retired parameter group in ${ref.region}`);
            if (db.renaming && db.renaming.doneAt > t) return;
            if (rds.statusAt(db, t) !== 'available') throw new NotReadyError(`${ref.dbInstanceIdentifier} is ${rds.statusAt(db, t)}`);
            const doneAt = t + w.draw(`rename:${db.key}`, w.latency.renameMs);
            db.renaming = { at: t, doneAt };
            db.names.push({ id: newIdentifier, from: doneAt });
            db.associations.push({ at: t, group: retired, needsReboot: true });
          },
          true,
        ),
      rebootInstance: (ref) =>
        this.call(
          ref.region,
          'rebootInstance',
          (t) => {
            const db = this.db(ref, t);
            if (rds.statusAt(db, t) !== 'available')
              throw new NotReadyError(`${ref.dbInstanceIdentifier} is ${rds.statusAt(db, t)} and cannot be rebooted`);
            db.reboots.push({ at: t, doneAt: t + w.draw(`reboot:${db.key}:${db.reboots.length}`, w.latency.rebootMs) });
          },
          true,
        ),
      setWriteFence: (ref, fenced) =>
        this.call(
          ref.region,
          'setWriteFence',
          (t) => {
            const db = this.db(ref, t);
            const name = w.resources(ref.region).dbParameterGroupName;
            const inEffect = rds.associationAt(db, t).inEffect.group;
            if (inEffect !== name)
              throw new OperationRejectedError(
                `${ref.dbInstanceIdentifier} uses ${inEffect}, not ${name}: fencing ${name} would not reach it`,
              );
            const group = rds.group(ref.region, name);
            if (!group || group.isDefault)
              throw new OperationRejectedError(`${name} is a default parameter group, which cannot be modified`);
            rds.setReadOnly(group, fenced ? 'on' : 'default', t);
          },
          true,
        ),
      setBackupRetention: (ref, days) =>
        this.call(
          ref.region,
          'setBackupRetention',
          (t) => {
            const db = this.db(ref, t);
            if (rds.backupRetentionAt(db, t) === days) return;
            if (rds.statusAt(db, t) !== 'available') throw new NotReadyError(`${ref.dbInstanceIdentifier} is ${rds.statusAt(db, t)}`);
            db.backups.push({ at: t, doneAt: t + w.draw(`backups:${db.key}:${db.backups.length}`, w.latency.backupRetentionMs), days });
          },
          true,
        ),
      listInstances: (region, prefix) =>
        this.call(region, 'listInstances', (t): DbInstanceSummary[] =>
          rds.dbs
            .filter((d) => d.region === region && (rds.idAt(d, t) ?? '').startsWith(prefix))
            .map((d) => ({
              region,
              dbInstanceIdentifier: rds.idAt(d, t)!,
              status: rds.statusAt(d, t),
              role: rds.roleAt(d, t),
              instanceClass: d.settings.instanceClass,
              allocatedStorageGiB: d.settings.allocatedStorageGiB,
              storageType: d.settings.storageType,
              multiAz: d.settings.multiAz,
              deletionProtection: d.settings.deletionProtection,
              parameterGroupName: rds.associationAt(d, t).inEffect.group,
              createdAt: d.createdAt,
            })),
        ),
    };
  }

  private asg(ref: AsgRef) {
    const asg = this.world.asgs.get(ref.region);
    if (!asg || asg.name !== ref.autoScalingGroupName)
      throw new ResourceNotFoundError(`Auto Scaling group ${ref.autoScalingGroupName}`, ref.region);
    return asg;
  }

  private makeCompute(): Compute {
    const w = this.world;
    return {
      describe: (ref) =>
        this.call(ref.region, 'describeCapacity', (t): CapacityStatus => {
          const asg = this.asg(ref);
          return {
            min: asg.min,
            desired: asg.desired,
            max: asg.max,
            inService: w.inServiceAt(asg, t),
            healthyTargets: w.healthyTargetsAt(ref.region, t),
            launchTemplate: `${asg.name}-lt`,
          };
        }),
      setCapacity: (ref, c: CapacitySetting) =>
        this.call(ref.region, 'setCapacity', (t) => w.setCapacity(this.asg(ref), t, c.min, c.desired, c.max), true),
    };
  }

  private group(ref: EndpointGroupRef) {
    const g = this.world.groups.get(ref.region);
    if (!g) throw new ResourceNotFoundError(`endpoint group ${ref.endpointGroupArn}`, GLOBAL_ACCELERATOR_CONTROL_REGION);
    return g;
  }

  private makeTraffic(): Traffic {
    const w = this.world;
    return {
      describe: (ref) =>
        this.call(GLOBAL_ACCELERATOR_CONTROL_REGION, 'describeEndpointGroup', (t): EndpointGroupStatus => {
          this.group(ref);
          return {
            trafficDialPercent: w.dialAt(ref.region, t),
            endpointWeight: w.weightAt(ref.region, t),
            healthy: w.gaHealthy(ref.region, t),
          };
        }),
      setTrafficDial: (ref, percent) =>
        this.call(
          GLOBAL_ACCELERATOR_CONTROL_REGION,
          'setTrafficDial',
          (t) => void this.group(ref).dial.push({ at: t, value: percent }),
          true,
        ),
      setEndpointWeight: (ref, weight) =>
        this.call(
          GLOBAL_ACCELERATOR_CONTROL_REGION,
          'setEndpointWeight',
          (t) => void this.group(ref).weight.push({ at: t, value: weight }),
          true,
        ),
    };
  }

  private regionOfUrl(url: string): string | undefined {
    const { primary, secondary } = this.world.config;
    if (url === primary.healthCheckUrl) return primary.region;
    if (url === secondary.healthCheckUrl) return secondary.region;
    return undefined;
  }

  private makeProbe(): Probe {
    const w = this.world;
    let n = 0;
    return {
      check: async (target: ProbeTarget): Promise<ProbeResult> => {
        const i = n++;
        const region = this.regionOfUrl(target.url);
        const started = this.clock.now();
        if (!region || !w.regionUp(region, started)) {
          await this.clock.sleep(target.timeoutMs);
          return { ok: false, latencyMs: target.timeoutMs, error: region ? `timed out after ${target.timeoutMs}ms` : 'unknown host' };
        }
        const latencyMs = w.draw(`probe:${this.caller ?? ''}:${i}`, w.latency.probeMs);
        await this.clock.sleep(latencyMs);
        const t = this.clock.now();
        const flap = w.faults.flappingProbe;
        if (
          flap &&
          flap.region === region &&
          t >= flap.from &&
          (flap.to === undefined || t < flap.to) &&
          w.rng.at(`flap:${this.caller ?? ''}:${i}`) < flap.failureRate
        ) {
          return { ok: false, latencyMs, error: 'connection reset' };
        }
        if (!w.endpointUp(region, t)) return { ok: false, status: 503, latencyMs };
        return { ok: true, status: 200, latencyMs };
      },
    };
  }

  private makeAlarms(): Alarms {
    const w = this.world;
    return {
      state: (ref: AlarmRef) =>
        this.call(ref.region, 'describeAlarm', (t): AlarmState => {
          // The alarm breaches in a period when the region cannot serve at the period's end;
          // it is in ALARM after `alarmEvaluationPeriods` breaching periods in a row.
          const period = w.latency.alarmPeriodMs;
          const last = Math.floor(t / period) * period;
          for (let k = 0; k < w.latency.alarmEvaluationPeriods; k++) {
            if (w.endpointUp(ref.region, last - k * period)) return 'OK';
          }
          return 'ALARM';
        }),
    };
  }

  /**
   * Route 53's verdict read through DNS, as a resolver in the controller's region answers it: the
   * record's value at the moment the resolver last fetched it (it caches for the TTL). DNS is
   * Route 53's data plane, answered in every region, so an outage of the primary does not stop it.
   */
  private makeHealthChecks(): HealthChecks {
    const w = this.world;
    return {
      status: async (ref) => {
        await this.clock.sleep(w.draw(`dns:${this.counter.calls++}`, w.latency.dnsQueryMs));
        const t = this.clock.now();
        return w.route53Answer(w.regionOfHealthCheck(ref.healthCheckId), t);
      },
    };
  }
}
