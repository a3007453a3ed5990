import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  clean: true,
  target: 'node20',
  external: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
});
