/** `llmcore linear`: the explainer's y = ax + b, learned by gradient descent. */
import type { Command } from 'commander';
import { fitLine, leastSquares, LINEAR_LIMITS, makeLinePoints, type LinePoints } from '../src/classic/linear-regression.js';
import { numericColumn, readCsvFile } from '../src/data/csv.js';
import { fmt, integer, number, positiveInteger, printJson, printLine } from './options.js';

export interface LinearOptions {
  a: number;
  b: number;
  noise: number;
  points: number;
  seed: number;
  csv?: string;
  steps: number;
  lr: number;
  every: number;
  json?: boolean;
}

function loadPoints(o: LinearOptions): LinePoints {
  if (!o.csv) return makeLinePoints(o);
  const table = readCsvFile(o.csv, `--csv ${o.csv}`);
  const x = numericColumn(table, 'x', o.csv);
  const y = numericColumn(table, 'y', o.csv);
  if (x.length < 2) throw new Error(`linear: --csv ${o.csv} has ${x.length === 0 ? 'no data rows after the header' : 'one data row'}; a line needs at least 2 points`);
  if (x.length > LINEAR_LIMITS.points) throw new Error(`linear: --csv ${o.csv} has ${x.length.toLocaleString('en-US')} points; at most ${LINEAR_LIMITS.points.toLocaleString('en-US')} (every point is held in memory and touched by every step)`);
  return { x, y };
}

/** Runs the chapter and prints it; returns the result object that --json prints. */
export function runLinear(o: LinearOptions, out: (line: string) => void = printLine): object {
  // sizes first, so a bad --steps is refused before a large --csv is read
  if (!Number.isInteger(o.steps) || o.steps < 1 || o.steps > LINEAR_LIMITS.steps) {
    throw new Error(`linear: --steps must be an integer from 1 to ${LINEAR_LIMITS.steps.toLocaleString('en-US')} (the loss has converged long before; each step touches every point), got ${o.steps}`);
  }
  let points: LinePoints;
  try {
    points = loadPoints(o);
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.startsWith('linear:') ? message : `linear: ${message}`);
  }
  const closed = leastSquares(points);
  if (!o.json) {
    out(o.csv
      ? `Fitting y = a·x + b to ${points.x.length} points from ${o.csv} by gradient descent (lr ${o.lr}, ${o.steps} steps).`
      : `Fitting y = a·x + b to ${points.x.length} noisy points from a = ${o.a}, b = ${o.b}, noise σ = ${o.noise} (seed ${o.seed}).`);
    out(`${'step'.padStart(6)} ${'a'.padStart(10)} ${'b'.padStart(10)} ${'loss (MSE)'.padStart(12)}`);
  }
  const final = fitLine(points, {
    steps: o.steps,
    lr: o.lr,
    onStep: (s) => {
      if (!o.json && (s.step === 1 || s.step % o.every === 0 || s.step === o.steps)) {
        out(`${String(s.step).padStart(6)} ${fmt(s.a)} ${fmt(s.b)} ${fmt(s.loss, 5, 12)}`);
      }
    },
  });
  const result = { a: final.a, b: final.b, closedForm: closed, loss: final.loss };
  if (!o.json) {
    out('');
    out(`gradient descent: a = ${final.a.toFixed(4)}, b = ${final.b.toFixed(4)}, loss ${final.loss.toFixed(5)}`);
    out(`closed form (least squares): a = ${closed.a.toFixed(4)}, b = ${closed.b.toFixed(4)}`);
    if (!o.csv) out(`true line: a = ${o.a}, b = ${o.b}`);
  }
  return result;
}

export function registerLinear(program: Command): void {
  program
    .command('linear')
    .description('fit y = a·x + b by gradient descent to noisy points (or a CSV with x,y columns) and compare with least squares')
    .option('--a <number>', 'true slope of the generated points', number, 3)
    .option('--b <number>', 'true intercept of the generated points', number, 5)
    .option('--noise <number>', 'standard deviation of the Gaussian noise', number, 0.2)
    .option('--points <n>', `number of generated points (2 to ${LINEAR_LIMITS.points.toLocaleString('en-US')})`, positiveInteger, 1000)
    .option('--seed <n>', 'seed of the generated points', integer, 0)
    .option('--csv <file>', 'read points from a CSV file with a header and columns x,y instead')
    .option('--steps <n>', `gradient-descent steps (at most ${LINEAR_LIMITS.steps.toLocaleString('en-US')})`, positiveInteger, 200)
    .option('--lr <number>', 'learning rate (x is standardized inside, so one rate suits any scale)', number, 0.1)
    .option('--every <n>', 'print progress every n steps', positiveInteger, 20)
    .option('--json', 'print {"a","b","closedForm":{"a","b"},"loss"} only')
    .action((o: LinearOptions) => {
      const result = runLinear(o);
      if (o.json) printJson(result);
    });
}
