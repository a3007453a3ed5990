import { OperationRejectedError, RegionUnreachableError, ResourceNotFoundError, ThrottledError } from '../errors.js';
import type {
  AlarmRef,
  AlarmState,
  Alarms,
  AsgRef,
  CapacitySetting,
  CapacityStatus,
  Compute,
  Database,
  DbRef,
  DbStatus,
  EndpointGroupRef,
  EndpointGroupStatus,
  Notification,
  Notifier,
  Ports,
  Probe,
  ProbeResult,
  ProbeTarget,
  StateStore,
  Traffic,
} from '../ports.js';
import { MemoryStateStore } from './memory-state-store.js';
import type { VirtualClock } from './virtual-clock.js';
import type { SimWorld } from './world.js';

/** Global Accelerator's control plane lives in us-west-2, whatever the workload's regions. */
export const GLOBAL_ACCELERATOR_REGION = 'us-west-2';

const MISSING: DbStatus = { exists: false, status: 'not-found', role: 'primary', writable: false, writeFenced: false };

/** The simulator's implementation of every port, over one {@link SimWorld} and a virtual clock. */
export class SimPorts implements Ports {
  readonly database: Database;
  readonly compute: Compute;
  readonly traffic: Traffic;
  readonly probe: Probe;
  readonly alarms: Alarms;
  readonly notifier: Notifier & { readonly sent: Notification[] };
  private calls = 0;

  constructor(
    readonly world: SimWorld,
    readonly clock: VirtualClock,
    readonly stateStore: StateStore = new MemoryStateStore(),
  ) {
    const sent: Notification[] = [];
    this.notifier = { sent, notify: async (n) => void sent.push(n) };
    this.database = this.makeDatabase();
    this.compute = this.makeCompute();
    this.traffic = this.makeTraffic();
    this.probe = this.makeProbe();
    this.alarms = this.makeAlarms();
  }

  /**
   * One control-plane call: network latency, then a timeout if the region is out, a throttle at
   * the configured rate, or the call's effect at the moment it lands.
   */
  private async call<T>(region: string, name: string, effect: (t: number) => T, mutating = false): Promise<T> {
    const n = this.calls++;
    const w = this.world;
    await this.clock.sleep(w.draw(`api:${n}`, w.latency.apiCallMs));
    const t = this.clock.now();
    if (!w.regionUp(region, t)) {
      await this.clock.sleep(w.latency.unreachableTimeoutMs);
      w.countFailure(name);
      throw new RegionUnreachableError(region, `${name}: ${region} did not answer within ${w.latency.unreachableTimeoutMs / 1000}s`);
    }
    const rate = w.faults.throttleRate ?? 0;
    if (rate > 0 && w.rng.at(`throttle:${n}`) < rate) {
      w.countFailure(name);
      throw new ThrottledError(`${name}: Rate exceeded`);
    }
    const result = effect(t);
    if (mutating) w.count(name);
    return result;
  }

  private db(ref: DbRef, t: number) {
    const db = this.world.findDb(ref.region, ref.dbInstanceIdentifier, t);
    if (!db) throw new ResourceNotFoundError(`RDS instance ${ref.dbInstanceIdentifier}`, ref.region);
    return db;
  }

  private makeDatabase(): Database {
    const w = this.world;
    return {
      describe: (ref) =>
        this.call(ref.region, 'describeDbInstance', (t): DbStatus => {
          const db = w.findDb(ref.region, ref.dbInstanceIdentifier, t);
          if (!db) return MISSING;
          const role = w.roleAt(db, t);
          const lag = w.lagMsAt(db, t);
          const source = db.sourceKey === undefined ? undefined : w.dbs.find((d) => d.key === db.sourceKey);
          return {
            exists: true,
            status: w.statusAt(db, t),
            role,
            sourceIdentifier: role === 'replica' && source ? w.idAt(source, t) : undefined,
            writable: w.writableAt(db, t),
            writeFenced: w.fencedAt(db, t),
            // CloudWatch reports ReplicaLag in whole seconds.
            replicaLagSeconds: lag === undefined ? undefined : Math.round(lag / 1000),
            replicating: role === 'replica' && source ? w.regionUp(source.region, t) : undefined,
          };
        }),
      promoteReplica: (ref) =>
        this.call(
          ref.region,
          'promoteReplica',
          (t) => {
            const db = this.db(ref, t);
            if (w.faults.promotionFails) {
              throw new OperationRejectedError(`InvalidDBInstanceState: ${ref.dbInstanceIdentifier} cannot be promoted (storage-full)`);
            }
            // Already promoted or promoting: success, as the AWS adapter maps InvalidDBInstanceState.
            if (db.promotion || w.roleAt(db, t) === 'primary') return;
            db.promotion = {
              requestedAt: t,
              modifyingAt: t + w.draw(`promote-available:${db.key}`, w.latency.promoteStillAvailableMs),
              rebootingAt: t + w.draw(`promote-modifying:${db.key}`, w.latency.promoteModifyingMs),
              writableAt: t + w.draw(`promote-writable:${db.key}`, w.latency.promoteWritableMs),
            };
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
            w.addDb(target.region, target.dbInstanceIdentifier, 'replica', src.key, t, t + w.draw(`create-replica:${target.region}:${t}`, w.latency.createReplicaMs));
          },
          true,
        ),
      rebootInstance: (ref) => this.call(ref.region, 'rebootInstance', (t) => void this.db(ref, t), true),
      setBackupRetention: (ref) => this.call(ref.region, 'setBackupRetention', (t) => void this.db(ref, t), true),
      listInstances: (region) => this.call(region, 'listInstances', () => []),
      retireInstance: (ref, newIdentifier) =>
        this.call(
          ref.region,
          'renameInstance',
          (t) => {
            const db = this.db(ref, t);
            if (db.renaming && db.renaming.doneAt > t) return;
            const doneAt = t + w.draw(`rename:${db.key}`, w.latency.renameMs);
            db.renaming = { at: t, doneAt };
            db.names.push({ id: newIdentifier, from: doneAt });
          },
          true,
        ),
      setWriteFence: (ref, fenced) =>
        this.call(
          ref.region,
          'setWriteFence',
          (t) => {
            const db = this.db(ref, t);
            db.fence.push({ at: t + w.draw(`fence:${db.key}:${db.fence.length}`, w.latency.writeFenceMs), fenced });
          },
          true,
        ),
    };
  }

  private asg(ref: AsgRef) {
    const asg = this.world.asgs.get(ref.region);
    if (!asg || asg.name !== ref.autoScalingGroupName) throw new ResourceNotFoundError(`Auto Scaling group ${ref.autoScalingGroupName}`, ref.region);
    return asg;
  }

  private makeCompute(): Compute {
    const w = this.world;
    return {
      describe: (ref) =>
        this.call(ref.region, 'describeCapacity', (t): CapacityStatus => {
          const asg = this.asg(ref);
          return { min: asg.min, desired: asg.desired, max: asg.max, inService: w.inServiceAt(asg, t), healthyTargets: w.healthyTargetsAt(ref.region, t), launchTemplate: `${asg.name}-lt` };
        }),
      setCapacity: (ref, c: CapacitySetting) =>
        this.call(ref.region, 'setCapacity', (t) => w.setCapacity(this.asg(ref), t, c.min, c.desired, c.max), true),
    };
  }

  private group(ref: EndpointGroupRef) {
    const g = this.world.groups.get(ref.region);
    if (!g) throw new ResourceNotFoundError(`endpoint group ${ref.endpointGroupArn}`, GLOBAL_ACCELERATOR_REGION);
    return g;
  }

  private makeTraffic(): Traffic {
    const w = this.world;
    return {
      describe: (ref) =>
        this.call(GLOBAL_ACCELERATOR_REGION, 'describeEndpointGroup', (t): EndpointGroupStatus => {
          this.group(ref);
          return { trafficDialPercent: w.dialAt(ref.region, t), endpointWeight: w.weightAt(ref.region, t), healthy: w.gaHealthy(ref.region, t) };
        }),
      setTrafficDial: (ref, percent) =>
        this.call(GLOBAL_ACCELERATOR_REGION, 'setTrafficDial', (t) => void this.group(ref).dial.push({ at: t, value: percent }), true),
      setEndpointWeight: (ref, weight) =>
        this.call(GLOBAL_ACCELERATOR_REGION, 'setEndpointWeight', (t) => void this.group(ref).weight.push({ at: t, value: weight }), true),
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
        const latencyMs = w.draw(`probe:${i}`, w.latency.probeMs);
        await this.clock.sleep(latencyMs);
        const t = this.clock.now();
        const flap = w.faults.flappingProbe;
        if (flap && flap.region === region && t >= flap.from && (flap.to === undefined || t < flap.to) && w.rng.at(`flap:${i}`) < flap.failureRate) {
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
}
