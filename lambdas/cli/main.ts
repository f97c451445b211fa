import { debugDetails, EXIT, reportError } from './errors.js';
import type { CliIO } from './io.js';
import { buildProgram } from './program.js';

/** Runs the CLI on `argv` (without node and script) and returns the exit code; never exits the process. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    const report = reportError(error);
    if (report.message) io.stderr.write(`${report.message}\n`);
    if (io.env.TRUSTWATCH_DEBUG && io.env.TRUSTWATCH_DEBUG !== '0')
      io.stderr.write(`${debugDetails(error)}\n`);
    return report.exitCode;
  }
}
