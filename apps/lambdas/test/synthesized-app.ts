import { readSynthesizedDrApp, type SynthesizedDrApp } from '@dr/aws-fakes';
// A test-time edge only: @dr/constructs ships this project's bundles, and the tests synthesize it to
// run each bundle as the role it deploys with (package.json's nx settings keep the build graph acyclic).
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { PilotLight } from '@dr/constructs';
import { referenceConfig } from '@dr/failover-core';
import { App } from 'aws-cdk-lib';

/**
 * `PilotLight` synthesized with the reference names (the app, regions, groups and databases of
 * `referenceConfig`), read into what the fake world takes from it: the DR config its config
 * parameter holds and each Lambda's role, resolved to the world's names.
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
