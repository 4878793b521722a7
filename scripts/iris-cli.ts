/**
 * Runs `llmcore iris` from source before it is wired into cli/main.ts:
 *   npx tsx scripts/iris-cli.ts iris --sweep
 */
import { Command, CommanderError } from 'commander';
import { registerIris } from '../cli/iris.js';

const program = new Command();
program.name('llmcore').showHelpAfterError().exitOverride();
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
