import { main } from '../lambdas/cli/main.js';
import { processIO } from '../lambdas/cli/io.js';

// The SDK's notice about its future Node.js support is not for CLI users, and would break the one-line-error promise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `trustwatch … | head` closes stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// exitCode rather than exit(): piped stdout must drain before the process ends.
process.exitCode = await main(process.argv.slice(2), processIO());
