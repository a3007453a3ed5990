import type { DrConfig } from '../config/schema.js';
import type { DetectorState, Verdict } from '../detector/detector.js';
import { isLockHeld, describeError } from '../errors.js';
import { stateKeys, supervise } from '../engine/controller.js';
import type { ControlRecord } from '../engine/lease.js';
import { Runner } from '../engine/runner.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings, type RunEvent, type RunState, type TimelineEntry } from '../engine/types.js';
import { buildPlan } from '../plan/build-plan.js';
import type { Operation, Plan } from '../plan/types.js';
import type { LatencyModel } from '../sim/latency.js';
import { MemoryStateStore } from '../sim/memory-state-store.js';
import { Rng } from '../sim/random.js';
import { SimPorts } from '../sim/sim-ports.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { SimWorld } from '../sim/world.js';
import { buildReport, type DrillReport } from './report.js';
import { scenarioFaults, type Scenario } from './scenarios.js';

/** Progress of a drill, streamed as it happens. Times are seconds since the drill began. */
export type DrillProgress =
  | { readonly kind: 'plan'; readonly plan: Plan }
  | { readonly kind: 'verdict'; readonly seconds: number; readonly verdict: Verdict; readonly readings: Readonly<Record<string, string>> }
  | { readonly kind: 'timeline'; readonly seconds: number; readonly entry: TimelineEntry; readonly state: RunState }
  | { readonly kind: 'controller'; readonly seconds: number; readonly message: string }
  | { readonly kind: 'fault'; readonly seconds: number; readonly scenario: Scenario };

/** Options of {@link runDrill}. */
export interface DrillOptions {
  readonly config: DrConfig;
  /** @default 'failover' */
  readonly operation?: Operation;
  /** @default 'region-outage' for failover, 'none' for switchover and failback */
  readonly scenario?: Scenario;
  /** Same seed, same drill. @default 1 */
  readonly seed?: number;
  /** Proceed past the RPO guard, and report the window risked. @default false */
  readonly force?: boolean;
  /** Overrides of the default latency model. */
  readonly latency?: Partial<LatencyModel>;
  /**
   * With `approval.required` in the config: seconds until the simulated on-call operator approves
   * the failover (the human part of the RTO). @default 300
   */
  readonly approvalDelaySeconds?: number;
  /** How long to watch for a failover that never triggers, in seconds after the fault starts. @default 1800 */
  readonly watchSeconds?: number;
  readonly settings?: EngineSettings;
  readonly onProgress?: (progress: DrillProgress) => void;
}

/** A controller crash, injected by the `controller-crash` scenario. */
class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** Lambda's maximum timeout; the failover controller stops short of it. */
const LAMBDA_TIMEOUT_MS = 15 * 60_000;

/**
 * When a drill's fault starts: 1–3 minutes in, so the detector has a healthy baseline first.
 * Depends only on the seed, so other models of the same drill can start theirs at the same moment.
 */
export function drillFaultTime(seed: number, t0: number): number {
  return t0 + 60_000 + Math.floor(new Rng(seed).at('fault-offset') * 120_000);
}

/** The default scenario of an operation. */
export const defaultScenario = (operation: Operation): Scenario => (operation === 'failover' ? 'region-outage' : 'none');

/**
 * Runs a drill on the simulator: a two-region world built from the configuration, the scenario's
 * faults, and the real engine (detector, controller, runner, state machine) over a virtual clock.
 * A failover is detected and run by simulated controller invocations on a one-minute schedule, as
 * the Lambda does; a switchover or failback is started by a simulated operator. Deterministic:
 * the same options give the same report.
 */
export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const { config } = options;
  const operation = options.operation ?? 'failover';
  const scenario = options.scenario ?? defaultScenario(operation);
  const seed = options.seed ?? 1;
  const settings = options.settings ?? DEFAULT_ENGINE_SETTINGS;
  const rng = new Rng(seed);
  const clock = new VirtualClock();
  const t0 = clock.now();
  const seconds = (at: number) => Math.round((at - t0) / 100) / 10;
  const emit = options.onProgress;

  const from = operation === 'failback' ? 'secondary' : 'primary';
  const to = from === 'primary' ? 'secondary' : 'primary';
  const faultAt = drillFaultTime(seed, t0);
  const faults = scenarioFaults(scenario, config[from].region, config[to].region, faultAt);
  const world = new SimWorld(config, t0, faults, { seed, latency: options.latency, layout: operation === 'failback' ? 'failed-over' : 'steady' });
  const store = new MemoryStateStore();
  const ports = new SimPorts(world, clock, store);
  const keys = stateKeys(config.app);
  if (operation === 'failback') await store.write<ControlRecord>(keys.control, { active: 'secondary' }, 0);

  const plan = buildPlan(config, operation, { from, runTag: `drill${seed}` });
  emit?.({ kind: 'plan', plan });

  let crashes = 0;
  let invocations = 0;
  // The crash comes at a seeded moment 0–8 minutes into the run, so it can fall in any step.
  const crashAfterMs = scenario === 'controller-crash' ? Math.floor(rng.at('crash-point') * 480_000) : -1;
  let runSeenAt: number | undefined;
  const beforeEvent = (index: number, _event: RunEvent) => {
    if (crashes > 0 || crashAfterMs < 0) return;
    runSeenAt ??= clock.now();
    if (clock.now() - runSeenAt >= crashAfterMs) {
      crashes++;
      throw new SimulatedCrash(`controller crashed before event ${index}, ${Math.round((clock.now() - runSeenAt) / 1000)}s into the run`);
    }
  };
  let logged = 0;
  const onTransition = (state: RunState) => {
    if (state.timeline.length < logged) logged = 0;
    for (const entry of state.timeline.slice(logged)) emit?.({ kind: 'timeline', seconds: seconds(entry.at), entry, state });
    logged = state.timeline.length;
  };
  const approve = async (): Promise<string> => {
    await clock.sleep((options.approvalDelaySeconds ?? 300) * 1000);
    note('the on-call operator approved the failover');
    return 'drill-operator';
  };
  let runCounter = 0;
  const runId = () => `drill-${seed}-${++runCounter}`;
  const note = (message: string) => emit?.({ kind: 'controller', seconds: seconds(clock.now()), message });

  const finalRun = await clock.run(async (): Promise<RunState | undefined> => {
    if (scenario !== 'none') void clock.sleepUntil(faultAt).then(() => emit?.({ kind: 'fault', seconds: seconds(faultAt), scenario }));
    const watchUntil = faultAt + (options.watchSeconds ?? 1_800) * 1000;
    if (operation === 'failover') {
      let lastVerdict: Verdict = 'healthy';
      const onRound = (round: { readings: Record<string, string> }, state: DetectorState) => {
        if (state.verdict !== lastVerdict) {
          lastVerdict = state.verdict;
          emit?.({ kind: 'verdict', seconds: seconds(clock.now()), verdict: state.verdict, readings: round.readings });
        }
      };
      // EventBridge invokes the controller every minute; an invocation ends before the next.
      for (let tick = t0; ; tick += world.latency.scheduleIntervalMs) {
        await clock.sleepUntil(Math.max(tick, clock.now()));
        if (clock.now() > watchUntil) return (await Runner.read(ports, keys.control))?.value.run;
        invocations++;
        const owner = `controller-${invocations}`;
        try {
          const result = await supervise({
            ports,
            config,
            owner,
            settings,
            probeUntil: clock.now() + 50_000,
            deadline: clock.now() + LAMBDA_TIMEOUT_MS - 30_000,
            onRound,
            onTransition,
            beforeEvent,
            runId,
            approve,
            force: options.force,
          });
          if (result.action === 'busy') note(`${owner}: another controller holds the lease`);
          if (result.action === 'resumed') note(`${owner} resumed run ${result.run?.runId ?? ''}`);
          const run = result.run;
          if (run && ['completed', 'failed', 'refused'].includes(run.phase)) return run;
        } catch (e) {
          if (!(e instanceof SimulatedCrash)) throw e;
          note(`${owner} crashed (${e.message}); its lease runs out and the next invocation resumes`);
        }
      }
    }
    // A planned operation: an operator starts it a minute in; after a crash, they run it again.
    await clock.sleepUntil(t0 + 60_000);
    for (let attempt = 1; ; attempt++) {
      invocations++;
      const runner = new Runner({ ports, owner: `operator-${attempt}`, stateKey: keys.control, settings, onTransition, beforeEvent });
      try {
        const outcome = await runner.start({ runId: runId(), operation, plan, maxDataLossSeconds: config.objectives.maxDataLossSeconds, force: options.force });
        return outcome.state;
      } catch (e) {
        if (e instanceof SimulatedCrash) note(`operator's session crashed (${e.message}); running it again resumes the run`);
        else if (isLockHeld(e)) note(describeError(e));
        else throw e;
        await clock.sleep(30_000);
      }
    }
  });

  return buildReport({
    config,
    operation,
    scenario,
    seed,
    t0,
    impairedAt: operation === 'failover' && scenario !== 'none' ? faultAt : undefined,
    regionImpaired: scenario !== 'none' && scenario !== 'flapping-probe',
    run: finalRun,
    world,
    controller: { invocations, crashes, stateWrites: store.writes },
  });
}
