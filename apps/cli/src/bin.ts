import { main } from './main.js';
import { endQuietlyOnClosedPipe } from './output.js';

// The SDK warns on every run under Node 20 that its releases after January 2027 will need Node 22.
// `dr` ships with its SDK version pinned and tested on Node 20, so the warning is ours to act
// on, not the operator's: keep it off their incident terminal unless they ask for it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `dr drill | head -2`: the reader leaving is not an error of ours (exit 0, no EPIPE stack; see endQuietlyOnClosedPipe).
endQuietlyOnClosedPipe();

process.exitCode = await main(process.argv.slice(2));
