import { buildReferenceApp } from './reference-app.js';

// `npm run synth`: writes every template to cdk.out (or $CDK_OUTDIR, as the CDK CLI sets it).
const app = buildReferenceApp(process.env.CDK_OUTDIR ?? 'cdk.out');
const assembly = app.synth();
console.log(
  `synthesized ${assembly.stacks.length} stacks to ${assembly.directory}: ${assembly.stacks.map((s) => `${s.stackName} (${s.environment.region})`).join(', ')}`,
);
