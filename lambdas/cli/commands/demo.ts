import { Option, type Command } from 'commander';
import { UsageError, EXIT } from '../errors.js';
import { colorEnabled, styleFor } from '../format.js';
import type { CliIO } from '../io.js';
import type { SetExit } from '../program.js';

const DEFAULT_DEMO_DIR = '.trustwatch/demo';

interface DemoOptions {
  readonly stateDir: string;
  readonly json?: boolean;
}

async function demo(io: CliIO, options: DemoOptions): Promise<number> {
  const started = Date.now();
  // Loaded on use: the handlers pull in the SDK clients' modules, which other commands do not need.
  const [{ runDemo, DemoStateDirError }, print, { DEMO_STATE_DIR }] = await Promise.all([
    import('../../demo/run.js'),
    import('../../demo/print.js'),
    import('../../demo/story.js'),
  ]);
  const stateDir = print.stateDirArg(options.stateDir, DEMO_STATE_DIR);
  const style = styleFor(colorEnabled(io.stdout, io.env));
  const width = io.stdout.isTTY ? io.stdout.columns : undefined;
  if (!options.json) io.stdout.write(`${print.renderIntro('111122223333', stateDir, style)}\n\n`);
  let run;
  try {
    run = await runDemo(stateDir, (step) => {
      if (!options.json) io.stdout.write(`${print.renderStep(step, style)}\n\n`);
    });
  } catch (error) {
    if (error instanceof DemoStateDirError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(print.demoSummary(run, stateDir), null, 2)}\n`);
  } else {
    io.stdout.write(`${print.renderEnding(run, stateDir, style, width)}\n`);
    if (io.stderr.isTTY) io.stderr.write(`(played in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  return EXIT.ok;
}

export function registerDemo(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('demo')
    .summary('a scripted, realistic day in an AWS account, on a local store; no AWS needed')
    .description(
      'Play one working day in a tidy account through the real event and sweep handlers: an IAM user ' +
        'and an access key created "for a vendor", a deploy role widened to a whole GitHub org, a vendor ' +
        'role without ExternalId, CloudTrail stopped; then sweeps, two fixes and a suppression. Shows each ' +
        "alert as it would arrive (email and Slack), the findings table and one finding's history. " +
        'Needs no AWS account; its local store (--state-dir) is wiped at every run.',
    )
    .addOption(
      new Option('--state-dir <dir>', "the demo's own local store, emptied at start").default(
        DEFAULT_DEMO_DIR,
      ),
    )
    .option('--json', 'print a machine summary (steps, transitions, alerts, findings) instead of the story')
    .action(async (options: DemoOptions) => setExit(await demo(io, options)));
}
