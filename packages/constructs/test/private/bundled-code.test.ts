import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { referenceConfig } from '@dr/failover-core';
import { describe, expect, it } from 'vitest';
import { DrConfigParameter, FailoverController, HealthRecordReader, ReadinessChecks, SnapshotSchedule } from '../../src/index.js';

const built = (name: string) => readFileSync(new URL(`../../../../apps/lambdas/dist/${name}/index.mjs`, import.meta.url));

describe('the shipped Lambda bundles', () => {
  it('are the default code of the controller, the snapshot job, the readiness checks and the health record reader, byte for byte', () => {
    const app = new App();
    const stack = new Stack(app, 'Control', { env: { account: '123456789012', region: 'us-east-1' } });
    const configParameter = new DrConfigParameter(stack, 'Config', { config: referenceConfig });
    const controller = new FailoverController(stack, 'Controller', { configParameter });
    const snapshots = new SnapshotSchedule(stack, 'Snapshots', { configParameter });
    const readiness = new ReadinessChecks(stack, 'Readiness', { configParameter, controller });
    const reader = new HealthRecordReader(stack, 'Reader', {
      vpc: new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 0 }),
    });
    const assembly = app.synth();

    const template = Template.fromStack(stack);
    for (const [fn, name] of [
      [controller.function, 'failover-controller'],
      [snapshots.function, 'snapshot'],
      [readiness.function, 'readiness'],
      [reader.function, 'health-record-reader'],
    ] as const) {
      const props = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties;
      expect(props).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler' });
      const hash = String(props.Code.S3Key).replace(/\.zip$/, '');
      const staged = readFileSync(join(assembly.directory, `asset.${hash}`, 'index.mjs'));
      expect(staged.equals(built(name))).toBe(true);
    }
  });

  it('give the controller a probe window that fits its schedule', () => {
    const stack = new Stack(new App(), 'Control', { env: { account: '123456789012', region: 'us-east-1' } });
    new FailoverController(stack, 'Controller', { configParameter: new DrConfigParameter(stack, 'Config', { config: referenceConfig }) });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { DR_PROBE_WINDOW_SECONDS: '56' } },
    });
  });
});
