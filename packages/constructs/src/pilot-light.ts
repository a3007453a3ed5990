import type { Stack } from 'aws-cdk-lib';
import { GLOBAL_ACCELERATOR_CONTROL_REGION } from '@dr/failover-core';
import { Construct } from 'constructs';
import { BucketReplication } from './bucket-replication.js';
import { DrConfigParameter } from './dr-config-parameter.js';
import type { DrOperatorPolicy } from './dr-operator-policy.js';
import type { FailoverController } from './failover-controller.js';
import { GlobalEntryPoint } from './global-entry-point.js';
import type { HealthCheckRecord } from './health-check-record.js';
import type { PilotLightProps } from './pilot-light-props.js';
import type { ReadinessChecks } from './readiness.js';
import { RegionStack } from './region-stack.js';
import { composeControlPlane } from './private/pilot-light-control.js';
import { composeDrRegion, composePrimaryRegion } from './private/pilot-light-regions.js';
import { DEPLOYED_DATA_TIER_CONTEXT, pilotLightRules, resolvePilotLight, type ResolvedPilotLight } from './private/pilot-light-rules.js';
import { validateProps } from './private/validate.js';

export type { PilotLightOptions, PilotLightProps, PilotLightRegion } from './pilot-light-props.js';

/**
 * The whole pilot light from a handful of props: the primary region serving, the DR region
 * as a pilot light (replica, zero instances, endpoint at weight 0), the global entry point in
 * Global Accelerator's control region (us-west-2), and the DR control plane (config in SSM in
 * both regions, the failover controller, the Route 53 health check of the primary it reads
 * through DNS with the reader Lambda in the DR VPC, the snapshot job and the continuous readiness
 * checks) in the DR region. Five stacks, deployed in dependency order: Primary, Secondary,
 * Global, then Control and PrimaryConfig (which also turns on the primary bucket's replication,
 * once the DR bucket exists).
 *
 * The stacks are children of this construct (construct paths `<id>/Primary`, `<id>/Secondary`,
 * `<id>/Global`, `<id>/Control`, `<id>/PrimaryConfig`), named `<id>-Primary`, `<id>-Secondary`,
 * ... in CloudFormation as before. Not a `cdk.Stage`: `cdk deploy --all` selects only the stacks
 * of the top-level assembly and skips those inside a Stage
 * (https://github.com/aws/aws-cdk/issues/16865, https://github.com/aws/aws-cdk-cli/issues/1003),
 * while stacks nested in a plain construct are selected (https://github.com/aws/aws-cdk/pull/15046),
 * and `cdk deploy --all` is the whole first deploy. The CLI selects a single stack by its construct
 * path: `cdk deploy Lamp/Primary` (or `'Lamp/*'`), no longer `cdk deploy Lamp-Primary`.
 */
export class PilotLight extends Construct {
  /** The primary region's stack, `<id>-Primary`: network, image pipeline, database, app tier, bucket, monitoring. */
  readonly primaryStack: Stack;
  /** The DR region's stack, `<id>-Secondary`: the pilot light (replica, app tier at zero, bucket). */
  readonly secondaryStack: Stack;
  /** The global entry point's stack, `<id>-Global`, in Global Accelerator's control region. */
  readonly globalStack: Stack;
  /** The DR region's control plane: config, failover controller, snapshots. */
  readonly controlStack: Stack;
  /** In the primary region, deployed last: the config's copy and the primary bucket's replication. */
  readonly primaryConfigStack: Stack;
  /** The accelerator and its endpoint groups (in the global stack). */
  readonly entryPoint: GlobalEntryPoint;
  /** The failover controller (in the control stack). */
  readonly controller: FailoverController;
  /** The Route 53 health check of the primary's health path and its failover record pair (in the control stack). */
  readonly primaryHealthCheck: HealthCheckRecord;
  /** The continuous readiness checks (in the control stack). */
  readonly readiness: ReadinessChecks;
  /** The `dr` command's permissions, `<app>-dr-operator` (in the control stack): attach it to the operators. */
  readonly operatorPolicy: DrOperatorPolicy;

  constructor(scope: Construct, id: string, props: PilotLightProps) {
    super(scope, id);
    const resolved = resolvePilotLight(props);
    validateProps(this, pilotLightRules(props, resolved, this.node.tryGetContext(DEPLOYED_DATA_TIER_CONTEXT)));
    const { primary, secondary, app } = resolved;
    const stack = (name: string, region: string, description: string) =>
      regionStack(this, { id, name, region, description }, props, resolved);

    this.primaryStack = stack('Primary', primary.region, `${app}: primary region`);
    const primaryParts = composePrimaryRegion(this.primaryStack, props, resolved);

    this.secondaryStack = stack('Secondary', secondary.region, `${app}: pilot light`);
    const drParts = composeDrRegion(this.secondaryStack, props, resolved, primaryParts);
    this.secondaryStack.addStackDependency(this.primaryStack, 'the replica and the image come from the primary region');

    this.globalStack = stack('Global', GLOBAL_ACCELERATOR_CONTROL_REGION, `${app}: global entry point`);
    const tls = primary.certificateArn !== undefined;
    this.entryPoint = new GlobalEntryPoint(this.globalStack, 'EntryPoint', {
      acceleratorName: app,
      listenerPorts: tls ? [80, 443] : [80],
      endpoints: [
        {
          region: primary.region,
          loadBalancerArn: primaryParts.tier.loadBalancer.loadBalancerArn,
          serving: resolved.activeRegion === primary.region,
        },
        {
          region: secondary.region,
          loadBalancerArn: drParts.tier.loadBalancer.loadBalancerArn,
          serving: resolved.activeRegion === secondary.region,
        },
      ],
    });

    this.controlStack = stack('Control', secondary.region, `${app}: DR controller and config`);
    const control = composeControlPlane(this.controlStack, props, resolved, { primaryParts, drParts, entryPoint: this.entryPoint });
    this.primaryHealthCheck = control.primaryHealthCheck;
    this.controller = control.controller;
    this.operatorPolicy = control.operatorPolicy;
    this.readiness = control.readiness;

    this.primaryConfigStack = stack(
      'PrimaryConfig',
      primary.region,
      `${app}: DR config and the primary bucket's replication to the DR bucket, in the primary region`,
    );
    new DrConfigParameter(this.primaryConfigStack, 'Config', { config: control.config });
    // S3 rejects a replication rule whose destination does not exist yet: the primary bucket's rule
    // is applied here, once the Secondary stack has made the DR bucket.
    new BucketReplication(this.primaryConfigStack, 'DataReplication', { bucket: primaryParts.bucket });
    this.primaryConfigStack.addStackDependency(
      this.secondaryStack,
      'the primary bucket replicates to the DR bucket, which must exist first',
    );
  }
}

/**
 * One of the blueprint's stacks, a child of `pilotLight` with construct id `name` and the
 * CloudFormation name `<id>-<name>`, in `region` of the props' account, knowing the region's
 * zones (given for the two regions; the default elsewhere) and referring across regions.
 */
function regionStack(
  pilotLight: Construct,
  stack: { readonly id: string; readonly name: string; readonly region: string; readonly description: string },
  props: PilotLightProps,
  resolved: ResolvedPilotLight,
): RegionStack {
  const { primary, secondary } = resolved;
  const zones =
    stack.region === primary.region
      ? primary.availabilityZones
      : stack.region === secondary.region
        ? secondary.availabilityZones
        : undefined;
  return new RegionStack(pilotLight, stack.name, {
    stackName: `${stack.id}-${stack.name}`,
    env: { account: props.account, region: stack.region },
    availabilityZones: zones,
    crossRegionReferences: true,
    description: stack.description,
  });
}
