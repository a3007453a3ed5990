import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'reference-stack', include: ['test/**/*.test.ts'], testTimeout: 240_000 } });
