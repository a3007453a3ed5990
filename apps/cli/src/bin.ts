import { main } from './main.js';
import { endQuietlyOnClosedPipe } from './output.js';

// The SDK warns on every run under Node 20 that its releases after January 2027 will need Node 22.
// `dr` ships with its SDK version pinned and tested on Node 20, so the warning is ours to act
// on, not the operator's: keep it off their incident terminal unless they ask for it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `dr drill | head -2`: the reader leaving is not an error of ours (exit 0, no EPIPE stack; see endQuietlyOnClosedPipe).
endQuietlyOnClosedPipe();

const code = await main(process.argv.slice(2));
process.exitCode = code;

/** Resolves once what was written to `stream` has been handed to the system. */
const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));

// main has said everything and chosen the code. What may still be pending is abandoned work whose
// timer would only hold the process open: a finished run's background containment waits 10 s
// between tries (the controller takes over what it leaves, from the state table), a probe's
// timeout races its answer. Exit once the output is written rather than sit through them.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
