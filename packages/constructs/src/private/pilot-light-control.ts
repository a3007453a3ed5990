import { Duration, type Stack } from 'aws-cdk-lib';
import { defaultStateTableName, type DrConfigInput } from '@dr/failover-core';
import type { AppTier } from '../app-tier.js';
import { PilotLightAuroraSecondary } from '../aurora-secondary.js';
import { DrConfigParameter } from '../dr-config-parameter.js';
import { DrOperatorPolicy } from '../dr-operator-policy.js';
import { FailoverController } from '../failover-controller.js';
import type { GlobalEntryPoint } from '../global-entry-point.js';
import { HealthCheckRecord } from '../health-check-record.js';
import { DrMonitoring } from '../monitoring.js';
import type { PilotLightProps, PilotLightRegion } from '../pilot-light-props.js';
import { ReadinessChecks } from '../readiness.js';
import { SnapshotSchedule } from '../snapshot-schedule.js';
import type { DrRegionParts, PrimaryRegionParts } from './pilot-light-regions.js';
import type { ResolvedPilotLight } from './pilot-light-rules.js';

/** What the two regions and the entry point made, as the DR config describes them. */
interface Deployed {
  readonly primaryParts: PrimaryRegionParts;
  readonly drParts: DrRegionParts;
  readonly entryPoint: GlobalEntryPoint;
}

/**
 * The DR config of the whole pilot light. Each database's own and retired parameter groups, key,
 * subnet and security groups, and the settings it was deployed with come from its construct as
 * it made them: a failback recreates databases from these, so they are never restated here.
 */
function drConfigInput(
  props: PilotLightProps,
  resolved: ResolvedPilotLight,
  { primaryParts, drParts, entryPoint }: Deployed,
  healthCheck: HealthCheckRecord,
): DrConfigInput {
  const { primary, secondary, app, path, capacity } = resolved;
  const regionConfig = (r: PilotLightRegion, tier: AppTier) => ({
    ...(r === primary ? primaryParts.database.drConfig : drParts.database.drConfig),
    region: r.region,
    autoScalingGroupName: r.autoScalingGroupName,
    targetGroupArn: tier.targetGroup.targetGroupArn,
    loadBalancerArn: tier.loadBalancer.loadBalancerArn,
    bucketName: r.bucketName,
    endpointGroupArn: entryPoint.endpointGroupArn(r.region),
    // HTTP even with TLS: the ALB forwards the health path on port 80 (the certificate names the app's domain, not the ALB).
    healthCheckUrl: `http://${tier.loadBalancer.loadBalancerDnsName}${path}`,
    availabilityAlarmName: `${app}-${r === primary ? 'primary' : 'secondary'}-alb-availability`,
    capacity,
  });
  const { aurora } = resolved;
  return {
    schemaVersion: 1,
    app,
    // The RDS tier is the schema's default: its config stays as it was before the tier was a choice.
    ...(aurora
      ? {
          database: {
            tier: 'aurora-global' as const,
            globalClusterIdentifier: aurora.globalClusterIdentifier,
            engineVersion: aurora.engineVersion,
          },
        }
      : {}),
    primary: { ...regionConfig(primary, primaryParts.tier), route53HealthCheck: healthCheck.ref },
    // An internal DR ALB is checked from inside its VPC by the reader, for the controller and dr.
    secondary: {
      ...regionConfig(secondary, drParts.tier),
      ...(drParts.internetFacing ? {} : { healthCheckVia: healthCheck.reader.function.functionArn }),
    },
    globalAccelerator: {
      acceleratorArn: entryPoint.accelerator.attrAcceleratorArn,
      listenerArn: entryPoint.listener.attrListenerArn,
    },
    healthPath: path,
    objectives: props.objectives ?? { rtoSeconds: 900, maxDataLossSeconds: 60 },
    approval: { required: props.approvalRequired ?? false },
    // The dr command publishes its runs' news here too, as the controller does.
    controller: { stateTableName: defaultStateTableName(app), topicArn: drParts.notifications.topic.topicArn },
  };
}

/** The DR control plane, in the DR region: what {@link composeControlPlane} made that `PilotLight` exposes. */
export interface ControlPlaneParts {
  readonly config: DrConfigInput;
  readonly primaryHealthCheck: HealthCheckRecord;
  readonly controller: FailoverController;
  readonly operatorPolicy: DrOperatorPolicy;
  readonly readiness: ReadinessChecks;
}

/**
 * The DR control plane: the Route 53 health check of the primary and its reader, the config,
 * the failover controller, the operator policy, the snapshot job, the readiness checks and the
 * DR region's alarms and dashboard.
 */
export function composeControlPlane(
  stack: Stack,
  props: PilotLightProps,
  resolved: ResolvedPilotLight,
  deployed: Deployed,
): ControlPlaneParts {
  const { app, path } = resolved;
  const { primaryParts, drParts } = deployed;
  // Route 53 checks the primary from its checker regions; the controller reads the verdict from
  // a failover record pair in a private zone of the DR VPC, through the reader Lambda in it. The health check is
  // global, but its stack is in the DR region: CloudFormation can still manage it while the
  // primary region is down. The primary's ALB is internet-facing with port 80 open to any
  // address (AppTier), so Route 53's checkers reach it; the health path stays on HTTP with TLS.
  const primaryHealthCheck = new HealthCheckRecord(stack, 'PrimaryHealth', {
    vpc: drParts.net.vpc,
    domainName: primaryParts.tier.loadBalancer.loadBalancerDnsName,
    recordName: `${app}-primary.health.dr.internal`,
    healthCheckPath: path,
    failureThreshold: props.route53FailureThreshold,
    regions: props.route53CheckerRegions,
  });
  if (!drParts.internetFacing) primaryHealthCheck.reader.allowHealthChecksOf(drParts.tier.loadBalancer);
  const config = drConfigInput(props, resolved, deployed, primaryHealthCheck);
  const configParameter = new DrConfigParameter(stack, 'Config', { config });
  const notifications = drParts.notifications;
  const controller = new FailoverController(stack, 'Controller', {
    configParameter,
    code: props.controllerCode,
    notifications,
    healthRecordReader: primaryHealthCheck.reader.function,
  });
  const operatorPolicy = new DrOperatorPolicy(stack, 'DrOperator', { configParameter, controller, notifications });
  // Daily instance snapshots on the RDS tier only: an Aurora cluster keeps continuous backups
  // (point-in-time restore within its retention), and the DR cluster already holds the data.
  const snapshots = resolved.aurora
    ? undefined
    : new SnapshotSchedule(stack, 'Snapshots', { configParameter, code: props.snapshotCode, topic: notifications.topic });
  const readiness = new ReadinessChecks(stack, 'Readiness', { configParameter, controller, code: props.readinessCode });
  new DrMonitoring(stack, 'Monitoring', {
    app,
    role: 'secondary',
    appTier: drParts.tier,
    ...(drParts.database instanceof PilotLightAuroraSecondary
      ? { globalLagMetric: drParts.database.metricGlobalLag() }
      : { replicaInstanceIdentifier: resolved.secondary.dbInstanceIdentifier }),
    maxDataLoss: props.objectives ? Duration.seconds(props.objectives.maxDataLossSeconds) : undefined,
    topic: controller.topic,
    extraAlarms: [controller.errorsAlarm, ...(snapshots ? [snapshots.errorsAlarm] : [])],
    readiness,
  });
  return { config, primaryHealthCheck, controller, operatorPolicy, readiness };
}
