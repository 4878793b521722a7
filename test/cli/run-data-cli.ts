/**
 * `llmcore data …` on a commander program of its own, as cli/main.ts registers it, without the
 * engine and the translator: a child process that starts in a fraction of run-cli.ts's time, so the
 * hostile-server tests can run the command several times.
 */
import { Command, CommanderError } from 'commander';
import { registerData } from '../../cli/data.js';

const program = new Command().name('llmcore').exitOverride();
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
