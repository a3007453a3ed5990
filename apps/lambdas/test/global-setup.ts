import type { SynthesizedDrApp } from '@dr/aws-fakes';
import type { TestProject } from 'vitest/node';
import { synthesizeDrApp } from './synthesized-app.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The synthesized `PilotLight`'s DR config and roles, resolved (see `synthesized-app.ts`). */
    drApp: SynthesizedDrApp;
  }
}

/** Synthesizes `PilotLight` once per run (seconds of CPU), for every test file's world. */
export default function setup(project: TestProject): void {
  project.provide('drApp', synthesizeDrApp());
}
