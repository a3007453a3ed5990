import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/bench.ts', 'src/throughput-worker.ts'],
  format: ['esm'],
  clean: true,
  target: 'node20',
});
