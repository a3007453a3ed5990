/**
 * Reads a cloud assembly (`cdk.out`): its manifest's stacks, their regions and templates.
 * Only what a cost needs; the schema is the CDK's cloud-assembly manifest
 * (https://github.com/aws/aws-cdk/tree/main/packages/%40aws-cdk/cloud-assembly-schema).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CostReportError } from './errors.js';

/** One resource of a template, as CloudFormation declares it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** One stack of the assembly with its template's resources. */
export interface StackTemplate {
  readonly name: string;
  readonly region: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
}

interface ManifestArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string };
}

/** `aws://123456789012/eu-west-1` → `eu-west-1`; an environment-agnostic stack has no region to price. */
function regionOf(artifactId: string, environment: string | undefined): string {
  const match = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(environment ?? '');
  if (!match?.[1] || match[1] === 'unknown-region') {
    throw new CostReportError(
      `manifest.json: artifacts.${artifactId}.environment is ${JSON.stringify(environment)}; the report needs a stack with an explicit region (env: { region })`,
    );
  }
  return match[1];
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CostReportError(`cannot read ${what} at ${path}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CostReportError(`${what} at ${path} is not JSON`, { cause });
  }
}

/** Every CloudFormation stack of the assembly in `directory`, in manifest order. */
export function readAssembly(directory: string): StackTemplate[] {
  const manifest = readJson(join(directory, 'manifest.json'), 'the cloud assembly manifest') as {
    artifacts?: Record<string, ManifestArtifact>;
  };
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.artifacts !== 'object') {
    throw new CostReportError(`${join(directory, 'manifest.json')}: no artifacts; is ${directory} a cdk.out directory?`);
  }
  const stacks: StackTemplate[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    if (!templateFile) throw new CostReportError(`manifest.json: artifacts.${id}.properties.templateFile is missing`);
    const template = readJson(join(directory, templateFile), `template of ${id}`) as { Resources?: Record<string, TemplateResource> };
    stacks.push({
      name: artifact.properties?.stackName ?? id,
      region: regionOf(id, artifact.environment),
      resources: template.Resources ?? {},
    });
  }
  if (stacks.length === 0) throw new CostReportError(`${join(directory, 'manifest.json')} lists no CloudFormation stack`);
  return stacks;
}
