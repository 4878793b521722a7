/**
 * Memory check: trains a small MLP for 10,000 steps without any dispose()/tidy() and reports the
 * resident set size at 1k and 10k steps. Flat RSS means the garbage collector reclaims every
 * intermediate tensor and gradient.
 *
 *   npx tsx bench/memory.ts [--steps 10000] [--json]
 */
import { crossEntropy, Generator, nn, optim, randn, tensor } from '../src/index.js';

const args = process.argv.slice(2);
const steps = args.includes('--steps') ? Number(args[args.indexOf('--steps') + 1]) : 10_000;
const json = args.includes('--json');

const g = new Generator(0);
const model = new nn.Sequential(new nn.Linear(32, 128, { generator: g }), new nn.ReLU(), new nn.Linear(128, 128, { generator: g }), new nn.ReLU(), new nn.Linear(128, 10, { generator: g }));
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const x = randn([64, 32], { generator: g });
const y = tensor(Array.from({ length: 64 }, (_, i) => i % 10), { dtype: 'int32' });

const mb = (): number => Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
const marks: Record<string, number> = {};
const t0 = performance.now();
let loss = NaN;
for (let step = 1; step <= steps; step++) {
  opt.zeroGrad();
  const l = crossEntropy(model.forward(x), y);
  l.backward();
  opt.step();
  loss = l.item();
  if (step === 1000 || step === steps) marks[`rssMiB@${step}`] = mb();
  if (!json && step % 1000 === 0) process.stderr.write(`step ${step}  loss ${loss.toFixed(4)}  rss ${mb()} MiB\n`);
}
const result = { workload: 'mlp-rss', steps, ...marks, finalLoss: loss, seconds: (performance.now() - t0) / 1000 };
console.log(json ? JSON.stringify(result) : result);
