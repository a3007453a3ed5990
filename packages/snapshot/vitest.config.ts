import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'snapshot', include: ['test/**/*.test.ts'] } });
