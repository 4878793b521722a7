/** `llmcore tour` (what `npm start` runs): every chapter of the explainer, live, in order. */
import type { Command } from 'commander';
import { runLinear } from './linear.js';
import { printJson } from './options.js';

export function registerTour(program: Command): void {
  program
    .command('tour')
    .description('the tour of the explainer: each chapter runs live (so far: y = ax + b)')
    .option('--json', 'print each chapter\'s result as one JSON object')
    .action((o: { json?: boolean }) => {
      const say = o.json ? () => {} : console.log;
      say('大模型核心技术说明 — the core technology of large models, live.\n');
      say('Chapter 1. A model is a function y = f(x) whose parameters are learned from data: y = a·x + b.\n');
      const linear = runLinear({ a: 3, b: 5, noise: 0.2, points: 1000, seed: 0, steps: 100, lr: 0.1, every: 20, json: o.json }, say);
      if (o.json) printJson({ linear });
    });
}
