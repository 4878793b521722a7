/**
 * W1: fp32 matmul, GFLOPS = 2·m·n·k / time, for square sizes, two rectangular shapes and every
 * transpose variant at 512. PyTorch (where it imports): bench/pytorch/w1_matmul.py.
 */
import { getBackend, Generator, randn, type Tensor } from '../src/index.js';
import { PYTORCH_LIBS, runPython } from './peers/python.js';
import { TF_LIBS, useTf, type TfLib } from './peers/tfjs.js';
import { time } from './timing.js';
import type { Measurement, Workload } from './workload.js';

interface Case { m: number; k: number; n: number; trans: string }

const CASES: Case[] = [
  ...[128, 256, 512, 1024].map((s) => ({ m: s, k: s, n: s, trans: 'nn' })),
  { m: 512, k: 128, n: 512, trans: 'nn' },
  { m: 512, k: 512, n: 128, trans: 'nn' },
  { m: 512, k: 512, n: 512, trans: 'tn' },
  { m: 512, k: 512, n: 512, trans: 'nt' },
  { m: 512, k: 512, n: 512, trans: 'tt' },
];

function threadsOf(lib: string): number {
  if (lib === 'llmcore') return (getBackend() as { threads?: number }).threads ?? 1;
  return 1;
}

async function runCase(lib: string, c: Case): Promise<Measurement> {
  const g = new Generator(1);
  const [ta, tb] = [c.trans[0] === 't', c.trans[1] === 't'];
  const aShape = ta ? [c.k, c.m] : [c.m, c.k];
  const bShape = tb ? [c.n, c.k] : [c.k, c.n];
  let seconds: number;
  if (lib === 'llmcore') {
    const a0 = randn(aShape, { generator: g });
    const b0 = randn(bShape, { generator: g });
    // transposed operands are views: the kernel reads them transposed, as a backward pass does
    const a: Tensor = ta ? a0.T : a0;
    const b: Tensor = tb ? b0.T : b0;
    seconds = (await time(() => a.matmul(b))).seconds;
  } else {
    const tf = await useTf(lib as TfLib);
    const a = tf.randomNormal(aShape, 0, 1, 'float32', 1);
    const b = tf.randomNormal(bShape, 0, 1, 'float32', 2);
    seconds = (await time(() => {
      const y = tf.matMul(a, b, ta, tb);
      y.dataSync();
      y.dispose();
    })).seconds;
    a.dispose();
    b.dispose();
  }
  return {
    workload: 'W1', lib, value: (2 * c.m * c.n * c.k) / seconds / 1e9, unit: 'GFLOPS', threads: threadsOf(lib),
    shape: `${c.m}x${c.k}x${c.n}`, trans: c.trans,
  };
}

export const w1: Workload = {
  id: 'W1',
  unit: 'GFLOPS',
  higherIsBetter: true,
  libs: ['llmcore', ...TF_LIBS, ...PYTORCH_LIBS],
  notes: ['W1: tfjs-cpu is measured up to 512³ (1024³ takes minutes in its pure-JS kernels)'],
  async run(lib) {
    if (lib === 'pytorch') return runPython('torch', 'pytorch/w1_matmul.py');
    const out: Measurement[] = [];
    for (const c of CASES) {
      // the pure-JS tfjs backend needs minutes at 1024³; it is measured up to 512
      if (lib === 'tfjs-cpu' && c.m * c.k * c.n > 512 ** 3) continue;
      out.push(await runCase(lib, c));
    }
    return out;
  },
};
