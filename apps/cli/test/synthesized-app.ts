import { readSynthesizedDrApp, type SynthesizedDrApp } from '@dr/aws-fakes';
import { PilotLight } from '@dr/constructs';
import { referenceConfig } from '@dr/failover-core';
import { App } from 'aws-cdk-lib';

/**
 * `PilotLight` synthesized with the reference names (the app, regions, groups and databases of
 * `referenceConfig`), read into what the fake world takes from it: the DR config its config
 * parameter holds and the `dr` operator policy, resolved to the world's names. (The same
 * synthesis as apps/lambdas' test world: each app's tests stand alone.)
 */
export function synthesizeDrApp(): SynthesizedDrApp {
  const app = new App();
  const region = (r: typeof referenceConfig.primary, cidr: string) => ({
    region: r.region,
    cidr,
    availabilityZones: [`${r.region}a`, `${r.region}b`],
    bucketName: r.bucketName,
    autoScalingGroupName: r.autoScalingGroupName,
    dbInstanceIdentifier: r.dbInstanceIdentifier,
  });
  new PilotLight(app, 'Lamp', {
    app: referenceConfig.app,
    account: '123456789012',
    primary: region(referenceConfig.primary, '10.0.0.0/16'),
    secondary: region(referenceConfig.secondary, '10.1.0.0/16'),
  });
  const stacks = app.synth().stacks.map((s) => ({
    stackName: s.stackName,
    region: s.environment.region,
    account: s.environment.account,
    template: s.template as object,
  }));
  return readSynthesizedDrApp(stacks);
}
