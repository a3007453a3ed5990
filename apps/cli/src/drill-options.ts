import {
  defaultScenario,
  isScenario,
  SCENARIOS,
  scenarioOperation,
  WINDOWED_SCENARIOS,
  type DrillOperation,
  type Scenario,
} from '@dr/failover-core/drill';
import { UsageError } from './errors.js';

/** What `--operation` takes: one operation, or a lifecycle of them on one simulated world. */
export const DRILL_CHOICES = ['failover', 'switchover', 'failback', 'lifecycle'] as const;
/** One of {@link DRILL_CHOICES}. */
export type DrillChoice = (typeof DRILL_CHOICES)[number];

/**
 * Scenarios built for one operation: run with no `--operation`, the drill runs that one; with
 * another it is refused, since the fault would not mean what its description says (an approval
 * gates only the controller's failover; the target failing mid-switchover needs a switchover).
 */
const ONLY_FOR: Partial<Record<Scenario, DrillOperation>> = {
  'target-fails-mid-switchover': 'switchover',
  'late-approval': 'failover',
};

/** Options of `dr drill`, as parsed. */
export interface DrillFlags {
  readonly scenario?: string;
  readonly operation?: string;
  readonly sequence?: string;
  readonly seed: string;
  readonly outageSeconds?: string;
  readonly config?: string;
  readonly tier?: string;
  readonly json?: boolean;
  readonly force?: boolean;
  readonly report?: string;
  readonly live?: boolean;
  readonly app?: string;
  readonly region?: string;
  readonly endpointUrl?: readonly string[];
  readonly url?: string;
  readonly timeout?: string;
  readonly yes?: boolean;
}

/** Parses `--seed`. @throws {@link UsageError} naming the bad value. */
export function parseSeed(text: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffffffff) {
    throw new UsageError(`--seed must be a whole number from 0 to ${0xffffffff}; got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/**
 * Parses `--outage-seconds`: a whole number of seconds, 1 to 86400, for a scenario whose fault is
 * one window (a region outage, a 5xx burst, a maintenance reboot, ...).
 * @throws {@link UsageError} naming the bad value.
 */
export function parseOutageSeconds(text: string | undefined, scenario: Scenario): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 86_400) {
    throw new UsageError(`--outage-seconds must be a positive whole number of seconds, at most 86400; got ${JSON.stringify(text)}`);
  }
  if (!WINDOWED_SCENARIOS.has(scenario)) {
    throw new UsageError(
      `--outage-seconds ends the fault of a scenario that has one window (${[...WINDOWED_SCENARIOS].join(', ')}); ${scenario} has none`,
    );
  }
  return Number(text);
}

/**
 * Parses `--operation`. Not given, it is the operation the scenario is built for, else a
 * failover. A rebuild is not drilled alone: a lifecycle runs one when a run leaves the DR
 * region without its pilot light.
 * @throws {@link UsageError} naming the bad value.
 */
export function parseOperation(text: string | undefined, scenario: string | undefined): DrillChoice {
  if (text === undefined) {
    // A scenario about a switchover drills one unless told otherwise.
    const about = scenario !== undefined && isScenario(scenario) ? ONLY_FOR[scenario] : undefined;
    return about ?? 'failover';
  }
  if (!(DRILL_CHOICES as readonly string[]).includes(text)) {
    const rebuild = text === 'rebuild' ? ' (a rebuild is drilled inside a lifecycle, after the run that needs one)' : '';
    throw new UsageError(`--operation must be one of ${DRILL_CHOICES.join(', ')}; got ${JSON.stringify(text)}${rebuild}`);
  }
  return text as DrillChoice;
}

/** Parses `--scenario` for a drill of `operation`. @throws {@link UsageError} naming the bad value. */
export function parseScenario(text: string | undefined, operation: DrillChoice): Scenario {
  if (text === undefined) return operation === 'lifecycle' ? 'region-outage' : defaultScenario(operation);
  if (!isScenario(text)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}; got ${JSON.stringify(text)}`);
  const only = ONLY_FOR[text];
  if (only && operation !== 'lifecycle' && operation !== only) {
    throw new UsageError(
      `--scenario ${text} drills a ${only}, not a ${operation}: use --operation ${only} (or --operation lifecycle, where it applies to the first ${scenarioOperation(text)})`,
    );
  }
  return text;
}

/** Options of `dr drill` that act only on a deployed stack, with `--live`. */
const LIVE_ONLY = ['url', 'timeout', 'yes', 'app', 'region', 'endpointUrl'] as const;
/**
 * Options of `dr drill` that act only on the simulator. (`--config` is not here: a live drill
 * reads the DR config from a file with it, as the AWS commands do; `--operation failover` is
 * what a live drill does, any other operation is refused below.)
 */
const SIMULATOR_ONLY = ['scenario', 'seed', 'report', 'force', 'outageSeconds', 'sequence', 'tier'] as const;

/** `endpointUrl` as it is typed: `--endpoint-url`. */
const flag = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Refuses options of `dr drill` that contradict each other, before anything runs: a live-drill
 * option without `--live` (the simulator would ignore it, and the operator would believe a stack
 * was drilled), a simulator option with `--live` (the live drill has one fault, its own clock and
 * no seed), and a config named twice.
 * @param given whether the option was given on the command line (a default is not "given").
 * @throws {@link UsageError} naming both options.
 */
export function refuseContradictoryDrillOptions(flags: DrillFlags, given: (key: keyof DrillFlags) => boolean): void {
  if (given('tier') && given('config'))
    throw new UsageError('--tier cannot be used with --config: the config names its own data tier (database.tier); pass one');
  if (!flags.live) {
    const live = LIVE_ONLY.find(given);
    if (live)
      throw new UsageError(
        `${flag(live)} needs --live: it is for a game day on a deployed stack, and a drill on the simulator would ignore it`,
      );
    return;
  }
  const simulator = SIMULATOR_ONLY.find(given);
  if (simulator)
    throw new UsageError(
      `--live cannot be used with ${flag(simulator)}: a live drill injects one fault (the primary scaled to zero) on a deployed stack; ${flag(simulator)} is for the simulator (drop --live)`,
    );
  if (flags.operation !== undefined && flags.operation !== 'failover') {
    throw new UsageError(
      `--live cannot be used with --operation ${flags.operation}: a live drill drills one failover; a ${flags.operation} runs only on the simulator (drop --live)`,
    );
  }
  if (given('app') && given('config'))
    throw new UsageError(
      '--app cannot be used with --config: both name the DR config (--app reads it from SSM, --config from a file); pass one',
    );
}
