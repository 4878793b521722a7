/**
 * `llmcore linear` and `llmcore iris` on a commander program of their own, registered and reported
 * as cli/main.ts does, so tests run them in a child process (stdout, stderr, exit code) without
 * loading every other chapter.
 */
import { Command, CommanderError } from 'commander';
import { registerIris } from '../../cli/iris.js';
import { registerLinear } from '../../cli/linear.js';

const program = new Command().name('llmcore').showHelpAfterError().exitOverride();
registerLinear(program);
registerIris(program);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode;
  else {
    process.stderr.write(`llmcore: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
