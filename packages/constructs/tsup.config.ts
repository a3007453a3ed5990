import { libraryConfig } from '../../tools/build/tsup-library.js';

// aws-cdk-lib and constructs are peer dependencies: the consumer's copy must be the one used.
export default libraryConfig({ external: ['aws-cdk-lib', 'constructs'] });
