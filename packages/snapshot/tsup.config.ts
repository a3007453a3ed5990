import { libraryConfig } from '../../tools/build/tsup-library.js';

export default libraryConfig();
