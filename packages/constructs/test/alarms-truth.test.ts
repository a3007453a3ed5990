import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type AlarmState, type ComparisonOperator, type MetricQuery, type TreatMissingData, simulateAlarm } from '@dr/aws-fakes';
import { describe, expect, it } from 'vitest';
import { PilotLight, type PilotLightProps } from '../src/index.js';
import { referenceProps } from './helpers.js';

/*
 * Every alarm the pilot light deploys, read back from its templates and evaluated as CloudWatch
 * would (the model in @dr/aws-fakes) on synthetic data published as AWS publishes it: healthy
 * runs must end OK without ever alarming, failing runs must end in ALARM. A new alarm fails the
 * last test until its kind has scenarios here.
 */

/** The reference app's props, with its capacity and a subscriber stated. */
const props: PilotLightProps = { ...referenceProps, capacity: { min: 2, desired: 2, max: 4 }, notificationEmail: 'ops@example.com' };

// --- the alarms, as the templates give them ------------------------------------------------------

interface TemplateMetric {
  readonly Namespace: string;
  readonly MetricName: string;
}
interface AlarmProperties {
  readonly AlarmName?: string;
  readonly Threshold: number;
  readonly ComparisonOperator: ComparisonOperator;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm?: number;
  readonly TreatMissingData?: TreatMissingData;
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Metrics?: readonly {
    readonly Id: string;
    readonly Expression?: string;
    readonly ReturnData?: boolean;
    readonly MetricStat?: { readonly Metric: TemplateMetric };
  }[];
}

/** One alarm of a template: its rule, the metrics it reads (by query id) and the expressions. */
interface DeployedAlarm {
  readonly where: string;
  readonly properties: AlarmProperties;
  readonly metrics: Readonly<Record<string, TemplateMetric>>;
  readonly expressions: readonly { readonly id: string; readonly expression: string }[];
  readonly returnId: string;
}

function deployedAlarms(): DeployedAlarm[] {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const pilot = new PilotLight(app, 'Lamp', props);
  const stacks = [pilot.primaryStack, pilot.secondaryStack, pilot.globalStack, pilot.controlStack, pilot.primaryConfigStack];
  return stacks.flatMap((stack) =>
    Object.entries(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(([logicalId, resource]) => {
      const properties = (resource as { Properties: AlarmProperties }).Properties;
      const where = `${stack.stackName}/${properties.AlarmName ?? logicalId}`;
      if (!properties.Metrics) {
        if (!properties.Namespace || !properties.MetricName) throw new Error(`${where}: neither Metrics nor a metric`);
        return {
          where,
          properties,
          metrics: { m: { Namespace: properties.Namespace, MetricName: properties.MetricName } },
          expressions: [],
          returnId: 'm',
        };
      }
      const returned = properties.Metrics.filter((m) => m.ReturnData !== false);
      if (returned.length !== 1 || !returned[0]) throw new Error(`${where}: ${returned.length} returned queries`);
      return {
        where,
        properties,
        metrics: Object.fromEntries(properties.Metrics.flatMap((m) => (m.MetricStat ? [[m.Id, m.MetricStat.Metric]] : []))),
        expressions: properties.Metrics.flatMap((m) => (m.Expression ? [{ id: m.Id, expression: m.Expression }] : [])),
        returnId: returned[0].Id,
      };
    }),
  );
}

// --- the world, and what AWS publishes of it, per period -----------------------------------------

/** What is true in the watched region during one period. */
interface World {
  /** The region (and its ALB and Auto Scaling metrics) publishes at all. */
  readonly regionUp: boolean;
  readonly registeredTargets: number;
  readonly healthyTargets: number;
  /** Requests that reached a target. */
  readonly requests: number;
  readonly target5xx: number;
  /** Answers of the ALB itself (a 503 with no target, a 502 or 504). */
  readonly elb5xx: number;
  readonly desiredCapacity: number;
  readonly replica: 'replicating' | 'stopped' | 'promoted';
  readonly replicaLagSeconds: number;
  /** Failed invocations of the watched Lambda function. */
  readonly lambdaFailures: number;
  /** Lambda publishes Errors = 0 for invocations that succeed (UNCONFIRMED either way: both are run). */
  readonly lambdaPublishesZero: boolean;
  /** The readiness evaluation's verdict of every check this period. */
  readonly readiness: 'pass' | 'fail' | 'unknown' | 'not-running';
  /** HealthyHostCount and UnHealthyHostCount published as 0 for a target group without targets (UNCONFIRMED: both are run). */
  readonly emptyTargetGroupPublishes: boolean;
}

const SERVING: World = {
  regionUp: true,
  registeredTargets: 2,
  healthyTargets: 2,
  requests: 600,
  target5xx: 0,
  elb5xx: 0,
  desiredCapacity: 2,
  replica: 'replicating',
  replicaLagSeconds: 2,
  lambdaFailures: 0,
  lambdaPublishesZero: false,
  readiness: 'pass',
  emptyTargetGroupPublishes: true,
};
const DARK: World = { ...SERVING, registeredTargets: 0, healthyTargets: 0, requests: 0, desiredCapacity: 0 };

/**
 * One metric's datapoint for a period, as AWS publishes it.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html ("only when requests are flowing"; 5xx "There is a nonzero value"; host counts "if health checks are enabled")
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html (ReplicaLag -1 when replication stops)
 */
function publish(metric: TemplateMetric, w: World): number | undefined {
  const present = (value: number, when: boolean): number | undefined => (when ? value : undefined);
  const hostCounts = w.regionUp && (w.registeredTargets > 0 || w.emptyTargetGroupPublishes);
  switch (`${metric.Namespace}/${metric.MetricName}`) {
    case 'AWS/ApplicationELB/HealthyHostCount':
      return present(w.healthyTargets, hostCounts);
    case 'AWS/ApplicationELB/UnHealthyHostCount':
      return present(w.registeredTargets - w.healthyTargets, hostCounts);
    case 'AWS/ApplicationELB/RequestCount':
      return present(w.requests, w.regionUp && w.requests > 0);
    case 'AWS/ApplicationELB/HTTPCode_Target_5XX_Count':
      return present(w.target5xx, w.regionUp && w.target5xx > 0);
    case 'AWS/ApplicationELB/HTTPCode_ELB_5XX_Count':
      return present(w.elb5xx, w.regionUp && w.elb5xx > 0);
    case 'AWS/AutoScaling/GroupDesiredCapacity':
      return present(w.desiredCapacity, w.regionUp);
    case 'AWS/RDS/ReplicaLag':
      return w.replica === 'promoted' ? undefined : w.replica === 'stopped' ? -1 : w.replicaLagSeconds;
    case 'AWS/Lambda/Errors':
      return present(w.lambdaFailures, w.lambdaFailures > 0 || w.lambdaPublishesZero);
    case 'DR/Readiness/controller-heartbeat':
    default:
      if (metric.Namespace !== 'DR/Readiness')
        throw new Error(`no publisher for ${metric.Namespace}/${metric.MetricName}: model how AWS publishes it`);
      return w.readiness === 'pass' ? 1 : w.readiness === 'fail' ? 0 : undefined;
  }
}

// --- scenarios per alarm kind ----------------------------------------------------------------------

/** Periods each scenario runs; failures start at FAILS_AT. */
const PERIODS = 30;
const FAILS_AT = 15;

interface Scenario {
  readonly name: string;
  /** `OK`: ends OK and never alarms; `ALARM`: ends in ALARM; `quiet`: never alarms (INSUFFICIENT_DATA allowed). */
  readonly expect: 'OK' | 'ALARM' | 'quiet';
  readonly world: (period: number) => World;
  /** Metrics (by name) whose latest periods are not yet published when the alarm evaluates. */
  readonly late?: Readonly<Record<string, number>>;
}
const always = (w: World) => () => w;
const from = (before: World, after: World) => (t: number) => (t < FAILS_AT ? before : after);
const alb = ['HealthyHostCount', 'RequestCount', 'HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count'];
const counts = ['RequestCount', 'HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count'];
const lateAll = (names: readonly string[], periods: number) => Object.fromEntries(names.map((n) => [n, periods]));

const PRIMARY_AVAILABILITY: readonly Scenario[] = [
  { name: 'serving steadily, no 5xx (the 5xx counts publish nothing)', expect: 'OK', world: always(SERVING) },
  { name: 'serving with no traffic at all (no RequestCount, no 5xx)', expect: 'OK', world: always({ ...SERVING, requests: 0 }) },
  { name: 'serving with a 1% trickle of 5xx', expect: 'OK', world: always({ ...SERVING, target5xx: 6 }) },
  { name: 'one bad minute of 5xx', expect: 'OK', world: (t) => (t === FAILS_AT ? { ...SERVING, target5xx: 600 } : SERVING) },
  { name: 'serving, the counts of the latest minute not yet published', expect: 'OK', world: always(SERVING), late: lateAll(counts, 1) },
  { name: 'serving, every ALB metric of the latest minute not yet published', expect: 'OK', world: always(SERVING), late: lateAll(alb, 1) },
  {
    name: "no healthy target (answers are the ALB's 503s)",
    expect: 'ALARM',
    world: from(SERVING, { ...SERVING, healthyTargets: 0, requests: 0, elb5xx: 600 }),
  },
  { name: 'no healthy target and no traffic', expect: 'ALARM', world: from(SERVING, { ...SERVING, healthyTargets: 0, requests: 0 }) },
  {
    name: 'every target deregistered (host counts published as 0)',
    expect: 'ALARM',
    world: from(SERVING, { ...SERVING, registeredTargets: 0, healthyTargets: 0, requests: 0 }),
  },
  {
    name: 'every target deregistered (host counts not published)',
    expect: 'ALARM',
    world: from(SERVING, { ...SERVING, registeredTargets: 0, healthyTargets: 0, requests: 0, emptyTargetGroupPublishes: false }),
  },
  { name: '30% of answers are target 5xx', expect: 'ALARM', world: from(SERVING, { ...SERVING, target5xx: 180 }) },
  {
    name: '30% of answers are target 5xx, the 5xx count of the latest minute always late',
    expect: 'ALARM',
    world: from(SERVING, { ...SERVING, target5xx: 180 }),
    late: lateAll(['HTTPCode_Target_5XX_Count'], 1),
  },
  { name: 'the region goes silent', expect: 'ALARM', world: from(SERVING, { ...SERVING, regionUp: false }) },
];

const DR_AVAILABILITY: readonly Scenario[] = [
  { name: 'dark (desired 0, no target), empty group publishing host counts of 0', expect: 'OK', world: always(DARK) },
  { name: 'dark, empty group publishing no host counts', expect: 'OK', world: always({ ...DARK, emptyTargetGroupPublishes: false }) },
  { name: 'dark, a stray client hitting the ALB (its 503s)', expect: 'OK', world: always({ ...DARK, elb5xx: 20 }) },
  { name: 'serving after a failover', expect: 'OK', world: always(SERVING) },
  {
    name: 'scaling up: desired 2, targets registered, healthy a minute later',
    expect: 'OK',
    world: (t) => (t < 10 ? DARK : t === 10 ? { ...SERVING, healthyTargets: 0, requests: 0 } : SERVING),
  },
  {
    name: 'desired 2 but no target becomes healthy',
    expect: 'ALARM',
    world: from(DARK, { ...DARK, desiredCapacity: 2, registeredTargets: 2, healthyTargets: 0 }),
  },
  {
    name: 'desired 2 but no target registered, empty group publishing nothing',
    expect: 'ALARM',
    world: from(DARK, { ...DARK, desiredCapacity: 2, emptyTargetGroupPublishes: false }),
  },
  { name: 'serving with 20% 5xx', expect: 'ALARM', world: from(SERVING, { ...SERVING, target5xx: 120 }) },
  { name: 'serving, then the region goes silent', expect: 'ALARM', world: from(SERVING, { ...SERVING, regionUp: false }) },
];

const UNHEALTHY_TARGETS: readonly Scenario[] = [
  { name: 'every target healthy', expect: 'OK', world: always(SERVING) },
  { name: 'dark, empty group publishing 0', expect: 'OK', world: always(DARK) },
  { name: 'dark, empty group publishing nothing', expect: 'OK', world: always({ ...DARK, emptyTargetGroupPublishes: false }) },
  { name: 'one of two targets fails its checks', expect: 'ALARM', world: from(SERVING, { ...SERVING, healthyTargets: 1 }) },
];

const REPLICA_LAG: readonly Scenario[] = [
  { name: 'replicating with seconds of lag', expect: 'OK', world: always(SERVING) },
  { name: 'promoted (no ReplicaLag at all)', expect: 'OK', world: always({ ...SERVING, replica: 'promoted' }) },
  { name: 'lagging five minutes', expect: 'ALARM', world: from(SERVING, { ...SERVING, replicaLagSeconds: 300 }) },
  { name: 'replication stopped (-1)', expect: 'ALARM', world: from(SERVING, { ...SERVING, replica: 'stopped' }) },
];

const LAMBDA_ERRORS: readonly Scenario[] = [
  { name: 'no failure (Errors publishes nothing)', expect: 'OK', world: always(SERVING) },
  { name: 'no failure (Errors publishes 0)', expect: 'OK', world: always({ ...SERVING, lambdaPublishesZero: true }) },
  { name: 'every run fails', expect: 'ALARM', world: from(SERVING, { ...SERVING, lambdaFailures: 1 }) },
];

const READINESS_CHECK: readonly Scenario[] = [
  { name: 'passes every evaluation', expect: 'OK', world: always(SERVING) },
  { name: 'never evaluable (no datapoint)', expect: 'quiet', world: always({ ...SERVING, readiness: 'unknown' }) },
  { name: 'fails', expect: 'ALARM', world: from(SERVING, { ...SERVING, readiness: 'fail' }) },
  // The last pass leaves the evaluation range, the failure is all that is left: ALARM (it then
  // goes to INSUFFICIENT_DATA once the failure leaves the range too).
  {
    name: 'fails once, then cannot be evaluated (the oldest-breach rule)',
    expect: 'ALARM',
    world: (t) =>
      t < PERIODS - 4 ? SERVING : t === PERIODS - 4 ? { ...SERVING, readiness: 'fail' } : { ...SERVING, readiness: 'unknown' },
  },
];

const READINESS_HEARTBEAT: readonly Scenario[] = [
  { name: 'the evaluation runs and the controller beats', expect: 'OK', world: always(SERVING) },
  { name: "the controller's heartbeat is stale", expect: 'ALARM', world: from(SERVING, { ...SERVING, readiness: 'fail' }) },
  { name: 'the evaluation stops running (no datapoint)', expect: 'ALARM', world: from(SERVING, { ...SERVING, readiness: 'not-running' }) },
];

/** The kind of an alarm, from what it reads; each kind has its scenario table. */
const KINDS: readonly {
  readonly kind: string;
  readonly matches: (names: ReadonlySet<string>) => boolean;
  readonly scenarios: readonly Scenario[];
}[] = [
  {
    kind: 'DR-region availability',
    matches: (n) => n.has('AWS/ApplicationELB/HealthyHostCount') && n.has('AWS/AutoScaling/GroupDesiredCapacity'),
    scenarios: DR_AVAILABILITY,
  },
  { kind: 'primary availability', matches: (n) => n.has('AWS/ApplicationELB/HealthyHostCount'), scenarios: PRIMARY_AVAILABILITY },
  {
    kind: 'unhealthy targets',
    matches: (n) => n.size === 1 && n.has('AWS/ApplicationELB/UnHealthyHostCount'),
    scenarios: UNHEALTHY_TARGETS,
  },
  { kind: 'replica lag', matches: (n) => n.size === 1 && n.has('AWS/RDS/ReplicaLag'), scenarios: REPLICA_LAG },
  { kind: 'Lambda errors', matches: (n) => n.size === 1 && n.has('AWS/Lambda/Errors'), scenarios: LAMBDA_ERRORS },
  {
    kind: 'readiness heartbeat',
    matches: (n) => n.size === 1 && n.has('DR/Readiness/controller-heartbeat'),
    scenarios: READINESS_HEARTBEAT,
  },
  {
    kind: 'readiness check',
    matches: (n) => n.size === 1 && [...n].every((name) => name.startsWith('DR/Readiness/')),
    scenarios: READINESS_CHECK,
  },
];

function kindOf(alarm: DeployedAlarm) {
  const names = new Set(Object.values(alarm.metrics).map((m) => `${m.Namespace}/${m.MetricName}`));
  return KINDS.find((k) => k.matches(names));
}

/** The alarm's states over a scenario: every metric published period by period from the scenario's world. */
function run(alarm: DeployedAlarm, scenario: Scenario): AlarmState[] {
  const worlds = Array.from({ length: PERIODS }, (_, t) => scenario.world(t));
  const queries: MetricQuery[] = [
    ...Object.entries(alarm.metrics).map(([id, metric]) => ({ id, points: worlds.map((w) => publish(metric, w)) })),
    ...alarm.expressions,
  ];
  const latePeriods = Object.fromEntries(
    Object.entries(alarm.metrics).flatMap(([id, m]): [string, number][] => {
      const late = scenario.late?.[m.MetricName];
      return late ? [[id, late]] : [];
    }),
  );
  const p = alarm.properties;
  return simulateAlarm({
    threshold: p.Threshold,
    comparisonOperator: p.ComparisonOperator,
    evaluationPeriods: p.EvaluationPeriods,
    datapointsToAlarm: p.DatapointsToAlarm,
    treatMissingData: p.TreatMissingData,
    queries,
    returnId: alarm.returnId,
    latePeriods,
  }).map((e) => e.state);
}

const alarms = deployedAlarms();

describe('every alarm of the pilot light, evaluated as CloudWatch would', () => {
  for (const alarm of alarms) {
    const kind = kindOf(alarm);
    if (!kind) continue;
    describe(`${alarm.where} (${kind.kind})`, () => {
      for (const scenario of kind.scenarios) {
        it(`${scenario.expect === 'ALARM' ? 'alarms' : 'stays quiet'}: ${scenario.name}`, () => {
          const states = run(alarm, scenario);

          if (scenario.expect === 'ALARM') {
            expect(states.at(-1)).toBe('ALARM');
          } else {
            expect(states.filter((s) => s === 'ALARM')).toEqual([]);
            if (scenario.expect === 'OK') expect(states.at(-1)).toBe('OK');
          }
        });
      }
    });
  }

  it('finds the alarms of both regions: availability, targets, replica lag, the Lambdas and readiness', () => {
    expect(alarms.map((a) => a.where)).toEqual(
      expect.arrayContaining([
        'Lamp-Primary/lamp-primary-alb-availability',
        'Lamp-Control/lamp-secondary-alb-availability',
        'Lamp-Control/lamp-secondary-replica-lag',
      ]),
    );
    expect(alarms.length).toBeGreaterThanOrEqual(18);
  });

  it('has healthy and failing scenarios for every alarm in the templates', () => {
    const uncovered = alarms.filter((a) => {
      const scenarios = kindOf(a)?.scenarios ?? [];
      return !scenarios.some((s) => s.expect === 'OK') || !scenarios.some((s) => s.expect === 'ALARM');
    });

    expect(
      uncovered.map(
        (a) =>
          `${a.where} reads ${Object.values(a.metrics)
            .map((m) => `${m.Namespace}/${m.MetricName}`)
            .join(', ')}`,
      ),
    ).toEqual([]);
  });
});
