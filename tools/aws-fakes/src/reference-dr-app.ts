import { referenceAuroraConfig, referenceConfig, type DataTierName } from '@dr/failover-core';
import { readSynthesizedDrApp, type SynthesizedDrApp } from './iam/synthesized-dr-app.js';

/** One stack of a synthesized CDK app, as `app.synth().stacks` lists it (the fields read here). */
export interface SynthesizedCdkStack {
  readonly stackName: string;
  readonly environment: { readonly region: string; readonly account: string };
  readonly template: unknown;
}

/** A CDK `App` as far as {@link synthesizeReferenceDrApp} uses it. */
export interface SynthesizableApp {
  synth(): { readonly stacks: readonly SynthesizedCdkStack[] };
}

/** One region of the reference pilot light, as {@link synthesizeReferenceDrApp} gives it to `PilotLight`. */
export interface ReferencePilotLightRegion {
  readonly region: string;
  readonly cidr: string;
  readonly availabilityZones: readonly string[];
  readonly bucketName: string;
  readonly autoScalingGroupName: string;
  readonly dbInstanceIdentifier: string;
  /** The region's Aurora cluster (the Aurora tier only). */
  readonly dbClusterIdentifier?: string;
}

/** The props {@link synthesizeReferenceDrApp} gives `PilotLight`: the reference names of `referenceConfig` (or `referenceAuroraConfig`). */
export interface ReferencePilotLightProps<T = unknown> {
  readonly app: string;
  readonly account: string;
  readonly primary: ReferencePilotLightRegion;
  readonly secondary: ReferencePilotLightRegion;
  /** The Aurora tier (`DataTier.auroraGlobal(...)`), absent on the RDS tier (the default). */
  readonly dataTier?: T;
}

/**
 * The constructors {@link synthesizeReferenceDrApp} builds with. They come from the caller
 * because `@dr/constructs` has this package as a dev dependency: importing it here would make the
 * package graph a cycle (tools/workspace-check refuses one), and this package stays free of CDK.
 */
export interface DrAppConstructors<A extends SynthesizableApp, T = unknown> {
  /** `App` from `aws-cdk-lib`. */
  readonly App: new () => A;
  /** `PilotLight` from `@dr/constructs`. */
  readonly PilotLight: new (scope: A, id: string, props: ReferencePilotLightProps<T>) => unknown;
  /** `DataTier` from `@dr/constructs`: needed only to synthesize the Aurora tier. */
  readonly DataTier?: { auroraGlobal(options: { readonly engineVersion: string; readonly globalClusterIdentifier?: string }): T };
}

/** What {@link synthesizeReferenceDrApp} synthesizes. */
export interface ReferenceDrAppOptions {
  /** The data tier: `aurora-global` synthesizes the names of `referenceAuroraConfig`. @default 'rds-replica' */
  readonly tier?: DataTierName;
}

/** The reference account of the synthesized pilot light. */
export const REFERENCE_ACCOUNT = '123456789012';

/** The id of the synthesized `PilotLight`: its stacks are `Lamp-Primary` and so on. */
const PILOT_LIGHT_ID = 'Lamp';

function referenceRegion(r: typeof referenceConfig.primary, cidr: string): ReferencePilotLightRegion {
  const cluster = r.dbClusterIdentifier === undefined ? {} : { dbClusterIdentifier: r.dbClusterIdentifier };
  if (r.bucketName === undefined || r.autoScalingGroupName === undefined || r.dbInstanceIdentifier === undefined) {
    throw new Error(`referenceConfig's ${r.region} lacks a bucketName, autoScalingGroupName or dbInstanceIdentifier`);
  }
  return {
    region: r.region,
    cidr,
    availabilityZones: [`${r.region}a`, `${r.region}b`],
    bucketName: r.bucketName,
    autoScalingGroupName: r.autoScalingGroupName,
    dbInstanceIdentifier: r.dbInstanceIdentifier,
    ...cluster,
  };
}

/**
 * `PilotLight` synthesized with the reference names (the app, regions, groups and databases of
 * `referenceConfig`), read into what a fake deployment takes from it ({@link readSynthesizedDrApp}):
 * the DR config its config parameter holds, each DR Lambda's role and the `dr` operator policy,
 * resolved to the world's names. Takes seconds of CPU: a test run synthesizes once (a vitest
 * global setup) and hands the plain-JSON result to every test file.
 *
 * @example
 * ```ts
 * import { PilotLight } from '@dr/constructs';
 * import { App } from 'aws-cdk-lib';
 * project.provide('drApp', synthesizeReferenceDrApp({ App, PilotLight }));
 * project.provide('auroraDrApp', synthesizeReferenceDrApp({ App, PilotLight, DataTier }, { tier: 'aurora-global' }));
 * ```
 */
export function synthesizeReferenceDrApp<A extends SynthesizableApp, T = unknown>(
  { App, PilotLight, DataTier }: DrAppConstructors<A, T>,
  options: ReferenceDrAppOptions = {},
): SynthesizedDrApp {
  const aurora = options.tier === 'aurora-global';
  const config = aurora ? referenceAuroraConfig : referenceConfig;
  const database = referenceAuroraConfig.database;
  if (aurora && (!DataTier || database?.tier !== 'aurora-global'))
    throw new Error("synthesizeReferenceDrApp: tier 'aurora-global' needs DataTier from @dr/constructs among the constructors");
  const app = new App();
  new PilotLight(app, PILOT_LIGHT_ID, {
    app: config.app,
    account: REFERENCE_ACCOUNT,
    primary: referenceRegion(config.primary, '10.0.0.0/16'),
    secondary: referenceRegion(config.secondary, '10.1.0.0/16'),
    ...(aurora && DataTier && database?.tier === 'aurora-global'
      ? {
          dataTier: DataTier.auroraGlobal({
            engineVersion: database.engineVersion,
            globalClusterIdentifier: database.globalClusterIdentifier,
          }),
        }
      : {}),
  });
  const stacks = app.synth().stacks.map((s) => ({
    stackName: s.stackName,
    region: s.environment.region,
    account: s.environment.account,
    template: s.template as object,
  }));
  return readSynthesizedDrApp(stacks);
}
