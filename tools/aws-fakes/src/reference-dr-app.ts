import { referenceConfig } from '@dr/failover-core';
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
}

/** The props {@link synthesizeReferenceDrApp} gives `PilotLight`: the reference names of `referenceConfig`. */
export interface ReferencePilotLightProps {
  readonly app: string;
  readonly account: string;
  readonly primary: ReferencePilotLightRegion;
  readonly secondary: ReferencePilotLightRegion;
}

/**
 * The constructors {@link synthesizeReferenceDrApp} builds with. They come from the caller
 * because `@dr/constructs` has this package as a dev dependency: importing it here would make the
 * package graph a cycle (tools/workspace-check refuses one), and this package stays free of CDK.
 */
export interface DrAppConstructors<A extends SynthesizableApp> {
  /** `App` from `aws-cdk-lib`. */
  readonly App: new () => A;
  /** `PilotLight` from `@dr/constructs`. */
  readonly PilotLight: new (scope: A, id: string, props: ReferencePilotLightProps) => unknown;
}

/** The reference account of the synthesized pilot light. */
export const REFERENCE_ACCOUNT = '123456789012';

/** The id of the synthesized `PilotLight`: its stacks are `Lamp-Primary` and so on. */
const PILOT_LIGHT_ID = 'Lamp';

function referenceRegion(r: typeof referenceConfig.primary, cidr: string): ReferencePilotLightRegion {
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
 * ```
 */
export function synthesizeReferenceDrApp<A extends SynthesizableApp>({ App, PilotLight }: DrAppConstructors<A>): SynthesizedDrApp {
  const app = new App();
  new PilotLight(app, PILOT_LIGHT_ID, {
    app: referenceConfig.app,
    account: REFERENCE_ACCOUNT,
    primary: referenceRegion(referenceConfig.primary, '10.0.0.0/16'),
    secondary: referenceRegion(referenceConfig.secondary, '10.1.0.0/16'),
  });
  const stacks = app.synth().stacks.map((s) => ({
    stackName: s.stackName,
    region: s.environment.region,
    account: s.environment.account,
    template: s.template as object,
  }));
  return readSynthesizedDrApp(stacks);
}
