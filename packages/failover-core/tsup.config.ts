import { libraryConfig } from '../../tools/build/tsup-library.js';

// The root entry is the engine; the ports, errors, simulator and drills are entries of their own.
export default libraryConfig({
  entry: { index: 'src/index.ts', ports: 'src/ports.ts', errors: 'src/errors.ts', sim: 'src/sim/index.ts', drill: 'src/drill/index.ts' },
});
