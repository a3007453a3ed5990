import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReferenceApp } from '../src/reference-app.js';
import { readAssembly, unmetDependencies, type AssemblyStack } from './deploy-order.js';

function synthesized(context: Record<string, unknown> = {}): AssemblyStack[] {
  const outdir = mkdtempSync(join(tmpdir(), 'ref-order-'));
  buildReferenceApp(outdir, context).synth();
  return readAssembly(outdir);
}

const stacks = synthesized();

/** A deep copy of the stacks, changed by `edit`. */
function edited(edit: (byName: Record<string, AssemblyStack>) => void): AssemblyStack[] {
  const copy = JSON.parse(JSON.stringify(stacks)) as AssemblyStack[];
  edit(Object.fromEntries(copy.map((s) => [s.name, s])));
  return copy;
}

function resourceOfType(stack: AssemblyStack, type: string): string {
  const id = Object.keys(stack.template.Resources).find((k) => stack.template.Resources[k]!.Type === type);
  if (!id) throw new Error(`${stack.name} has no ${type}`);
  return id;
}

describe('a first deploy into a fresh account', () => {
  it('needs no value that nothing deployed before makes (parameters, images, exports)', () => {
    expect(unmetDependencies(stacks)).toEqual([]);
  });

  it('holds in the other shapes of the reference app too (TLS, the DR region serving)', () => {
    const tls = {
      primaryCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
      secondaryCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
    };
    expect(unmetDependencies(synthesized(tls))).toEqual([]);
    expect(unmetDependencies(synthesized({ activeRegion: 'us-east-1' }))).toEqual([]);
  });

  it('finds a launch template, and the group that launches from it, made before the first image exists', () => {
    const primary = stacks.find((s) => s.name === 'Lamp-Primary')!;
    const image = resourceOfType(primary, 'AWS::ImageBuilder::Image');
    const template = resourceOfType(primary, 'AWS::EC2::LaunchTemplate');
    const group = resourceOfType(primary, 'AWS::AutoScaling::AutoScalingGroup');
    // Nothing waits for the image any more.
    const broken = edited(({ 'Lamp-Primary': p }) => {
      for (const resource of Object.values(p!.template.Resources))
        if (resource.DependsOn) resource.DependsOn = [resource.DependsOn].flat().filter((d) => d !== image);
    });

    expect(unmetDependencies(broken)).toEqual([
      expect.objectContaining({
        stack: 'Lamp-Primary',
        resource: template,
        value: 'ssm:/dr/lamp/ami',
        reason: expect.stringMatching(/not deployed before this resource/),
      }),
      expect.objectContaining({
        stack: 'Lamp-Primary',
        resource: group,
        value: 'ssm:/dr/lamp/ami',
        reason: expect.stringMatching(/not deployed before this group launches/),
      }),
    ]);
  });

  it('finds a DR group whose image parameter nothing writes in the DR region', () => {
    const broken = edited(({ 'Lamp-Primary': primary }) => {
      const distribution = primary!.template.Resources[resourceOfType(primary!, 'AWS::ImageBuilder::DistributionConfiguration')]!;
      const props = distribution.Properties as { Distributions: { Region: string }[] };
      props.Distributions = props.Distributions.filter((d) => d.Region === 'eu-west-1');
    });

    // Its launch template, and the group that launches from it.
    const problem = expect.objectContaining({
      stack: 'Lamp-Secondary',
      value: 'ssm:/dr/lamp/ami',
      reason: 'nothing in the assembly makes ssm:/dr/lamp/ami in us-east-1',
    });
    expect(unmetDependencies(broken)).toEqual([problem, problem]);
  });

  it('finds a cross-region reference read before the stack that writes it is deployed', () => {
    const broken = edited(({ 'Lamp-PrimaryConfig': config }) => {
      (config as unknown as { dependencies: string[] }).dependencies = [];
    });

    const problems = unmetDependencies(broken);
    expect(problems.length).toBeGreaterThan(0);
    expect(new Set(problems.map((p) => p.stack))).toEqual(new Set(['Lamp-PrimaryConfig']));
    expect(problems.map((p) => p.value)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ssm:\/cdk\/exports\/Lamp-PrimaryConfig\//),
        expect.stringMatching(/^export:Lamp-Primary:/),
      ]),
    );
  });
});
