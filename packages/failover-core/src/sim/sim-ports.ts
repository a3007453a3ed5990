import { RegionUnreachableError, ResourceNotFoundError, ThrottledError } from '../errors.js';
import type {
  AlarmRef,
  AlarmState,
  Alarms,
  AsgRef,
  CapacitySetting,
  CapacityStatus,
  Compute,
  Database,
  GlobalDatabase,
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
import { makeSimDatabase } from './sim-database.js';
import { makeSimGlobalDatabase } from './sim-global-database.js';
import { makeSimMetrics, makeSimReadiness } from './sim-readiness.js';
import type { VirtualClock } from './virtual-clock.js';
import type { SimWorld } from './world.js';

/**
 * The simulator's implementation of every port, over one {@link SimWorld} and a virtual clock.
 * `forCaller` gives a controller its own view whose accepted calls are logged under its name,
 * for the audit of calls made after a lease passed to another controller.
 */
export class SimPorts implements Ports {
  readonly database: Database;
  readonly globalDatabase: GlobalDatabase;
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
    this.database = makeSimDatabase(world, (region, name, effect, mutating) => this.call(region, name, effect, mutating));
    this.globalDatabase = makeSimGlobalDatabase(world, (region, name, effect, mutating) => this.call(region, name, effect, mutating));
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
