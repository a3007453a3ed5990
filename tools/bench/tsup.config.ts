import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/bench.ts', 'src/throughput-worker.ts', 'src/drill-worker.ts'],
  format: ['esm'],
  clean: true,
  target: 'node20',
});
