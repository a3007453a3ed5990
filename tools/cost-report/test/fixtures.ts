import type { StackTemplate, TemplateResource } from '../src/index.js';

/** A stack of hand-written resources. */
export function stack(name: string, region: string, resources: Record<string, TemplateResource>): StackTemplate {
  return { name, region, resources };
}

/** Regions of the fixtures: eu-west-1 serves, us-east-1 is the pilot light. */
export const REGIONS = { primaryRegion: 'eu-west-1', drRegion: 'us-east-1' } as const;
