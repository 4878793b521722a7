/** The `llmcore` command: one subcommand per chapter of the explainer. */
import { Command, CommanderError } from 'commander';
import '../src/index.js';
import { registerIris } from './iris.js';
import { registerLinear } from './linear.js';
import { registerTour } from './tour.js';
import { registerTrainTranslate } from './train-translate.js';
import { registerTranslate } from './translate.js';
import { registerEval } from './eval-translate.js';
import { registerData } from './data.js';
import { registerLm } from './lm.js';
import { registerMemory } from './memory.js';

// A reader that stops early (`llmcore translate --file big.txt | head -1`) closes our stdout: stop
// quietly then, in every command, instead of finishing the work and dying on a stack trace. A command
// that stops by signal (training) is stopped the same way, so that it saves first. A closed stderr only
// silences the progress lines: it is no reason to lose a training run.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
  else process.exit(process.exitCode ?? 0);
});
process.stderr.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

const program = new Command();
program
  .name('llmcore')
  .description('The core technology of large models, runnable: tensors and autograd, and the chapters built on them.')
  .showHelpAfterError()
  // a sub-command's options are its own (memory and its sub-commands share --steps, --plot, …)
  .enablePositionalOptions()
  .exitOverride();

registerLinear(program);
registerIris(program);
registerTour(program);
registerTrainTranslate(program);
registerTranslate(program);
registerEval(program);
registerData(program);
registerLm(program);
registerMemory(program);
(await import('./generate.js')).registerGenerate(program);
(await import('./vision.js')).registerVision(program);
(await import('./gpt.js')).registerGpt(program);
(await import('./export.js')).registerExport(program);
(await import('./serve.js')).registerServe(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`llmcore: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
