/**
 * The translation commands on a commander program of their own, as cli/main.ts registers them, so
 * the tests can run them in a child process (stdin, stdout, exit code) before main.ts lists them.
 */
import { Command, CommanderError } from 'commander';
import '../../src/index.js';
import { registerTranslate } from '../../cli/translate.js';
import { registerEval } from '../../cli/eval-translate.js';
import { registerData } from '../../cli/data.js';

const program = new Command().name('llmcore').exitOverride();
registerTranslate(program);
registerEval(program);
registerData(program);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = e.exitCode;
  else {
    process.stderr.write(`llmcore: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
