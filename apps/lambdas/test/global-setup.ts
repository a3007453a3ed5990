import { synthesizeReferenceDrApp, type SynthesizedDrApp } from '@dr/aws-fakes';
// A test-time edge only: @dr/constructs ships this project's bundles, and the tests synthesize it to
// run each bundle as the role it deploys with (package.json's nx settings keep the build graph acyclic).
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { DataTier, PilotLight } from '@dr/constructs';
import { App } from 'aws-cdk-lib';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The synthesized `PilotLight`'s DR config and roles, resolved (`synthesizeReferenceDrApp` of `@dr/aws-fakes`). */
    drApp: SynthesizedDrApp;
    /** The same, synthesized on the Aurora global database tier. */
    auroraDrApp: SynthesizedDrApp;
  }
}

/** Synthesizes `PilotLight` once per run and tier (seconds of CPU), for every test file's world. */
export default function setup(project: TestProject): void {
  project.provide('drApp', synthesizeReferenceDrApp({ App, PilotLight }));
  project.provide('auroraDrApp', synthesizeReferenceDrApp({ App, PilotLight, DataTier }, { tier: 'aurora-global' }));
}
