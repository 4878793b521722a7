/**
 * W5: brute-force KNN, 100,000 training points × 32 dimensions, 1,000 queries, k = 10, seeded
 * uniform random data; the figure is queries per second (higher is better).
 *
 * llmcore runs its blocked path: ‖q‖² − 2·Q·Xᵀ + ‖x‖² with Q·Xᵀ from the engine's matmul (float32),
 * 64 queries at a time, and a size-k heap per query (one comparison rejects most candidates).
 * ml-knn (if installed: it is not a dependency) runs its default KD-tree with euclidean distance.
 *
 *   npx tsx bench/knn.ts [--json] [--lib llmcore|ml-knn] [--points 100000] [--queries 1000]
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { getBackend } from '../src/backend/backend.js';
import { KNeighborsClassifier } from '../src/classic/knn.js';
import { Generator } from '../src/util/random.js';
import { PYTORCH_LIBS, pythonWith, runPython } from './peers/python.js';
import type { Measurement, Workload } from './workload.js';

export interface W5Options {
  points?: number;
  dims?: number;
  queries?: number;
  k?: number;
  seed?: number;
  /** Timed repetitions (the median is reported; default 3). */
  repeats?: number;
}

export interface W5Data {
  train: Float64Array;
  labels: Int32Array;
  queries: Float64Array;
  n: number;
  d: number;
  m: number;
  k: number;
}

/** The seeded W5 data: the same numbers for every library. */
export function makeW5Data(o: W5Options = {}): W5Data {
  const n = o.points ?? 100_000;
  const d = o.dims ?? 32;
  const m = o.queries ?? 1000;
  const g = new Generator(o.seed ?? 5);
  const train = new Float64Array(n * d);
  for (let i = 0; i < train.length; i++) train[i] = g.uniform();
  const labels = Int32Array.from({ length: n }, () => g.randint(10));
  const queries = new Float64Array(m * d);
  for (let i = 0; i < queries.length; i++) queries[i] = g.uniform();
  return { train, labels, queries, n, d, m, k: o.k ?? 10 };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** W5 for llmcore: queries per second of kneighbors over the whole query set. */
export async function measureW5Llmcore(o: W5Options = {}): Promise<Measurement & { neighbors: Int32Array }> {
  const data = makeW5Data(o);
  const knn = new KNeighborsClassifier({ k: data.k, algorithm: 'brute', precision: 'float32' }).fitFlat(data.train, data.n, data.d, data.labels);
  let neighbors: Int32Array = new Int32Array(0);
  knn.kneighborsFlat(data.queries.subarray(0, 64 * data.d), data.k); // warm-up
  const times: number[] = [];
  for (let r = 0; r < (o.repeats ?? 3); r++) {
    const t0 = performance.now();
    neighbors = knn.kneighborsFlat(data.queries, data.k).indices;
    times.push((performance.now() - t0) / 1000);
  }
  const threads = (getBackend() as { threads?: number }).threads ?? 1;
  return { workload: 'W5', lib: 'llmcore', value: data.m / median(times), unit: 'queries/s', threads, shape: `${data.n}x${data.d}`, neighbors };
}

/** W5 for ml-knn (dynamic import; throws a clear error where ml-knn is not installed). */
export async function measureW5MlKnn(o: W5Options = {}): Promise<Measurement> {
  let KNN: new (x: number[][], y: number[], opts: { k: number }) => { predict(x: number[][]): number[] };
  try {
    const name = 'ml-knn';
    KNN = ((await import(name)) as { default: typeof KNN }).default;
  } catch {
    throw new Error('W5: ml-knn is not installed (npm install --no-save ml-knn to compare)');
  }
  const data = makeW5Data(o);
  const rows = (a: Float64Array, count: number): number[][] => Array.from({ length: count }, (_, i) => Array.from(a.subarray(i * data.d, (i + 1) * data.d)));
  const model = new KNN(rows(data.train, data.n), Array.from(data.labels), { k: data.k });
  const q = rows(data.queries, data.m);
  const times: number[] = [];
  for (let r = 0; r < (o.repeats ?? 1); r++) {
    const t0 = performance.now();
    model.predict(q);
    times.push((performance.now() - t0) / 1000);
  }
  return { workload: 'W5', lib: 'ml-knn', value: data.m / median(times), unit: 'queries/s', threads: 1, shape: `${data.n}x${data.d}` };
}

function hasMlKnn(): boolean {
  try {
    createRequire(import.meta.url).resolve('ml-knn');
    return true;
  } catch {
    return false;
  }
}

/** What the scikit-learn script imports (threadpoolctl sets its threads). */
const SKLEARN = 'sklearn, threadpoolctl';

/**
 * W5 for scikit-learn (bench/sklearn/knn_w5.py): the better of one thread and all cores, as PyTorch's
 * figures are taken at its best setting.
 */
function measureW5Sklearn(): Measurement {
  const runs = [...new Set([1, availableParallelism()])].flatMap((n) => runPython(SKLEARN, 'sklearn/knn_w5.py', ['--threads', String(n)]));
  return runs.reduce((a, b) => (b.value > a.value ? b : a));
}

/**
 * The W5 workload for the bench runner: ml-knn where it is installed, PyTorch (bench/pytorch/w5_knn.py)
 * and scikit-learn where python3 imports them.
 */
export const w5Knn: Workload = {
  id: 'W5',
  unit: 'queries/s',
  higherIsBetter: true,
  libs: ['llmcore', ...(hasMlKnn() ? ['ml-knn'] : []), ...PYTORCH_LIBS, ...(pythonWith(SKLEARN) ? ['scikit-learn'] : [])],
  skip: { 'ml-knn': 'its KD-tree answers about 7.5 queries/s in 32 dims: over 2 minutes for the 1,000 queries' },
  async run(lib: string): Promise<Measurement[]> {
    if (lib === 'pytorch') return runPython('torch', 'pytorch/w5_knn.py');
    if (lib === 'scikit-learn') return [measureW5Sklearn()];
    if (lib === 'llmcore') {
      const { neighbors, ...m } = await measureW5Llmcore();
      void neighbors;
      return [m];
    }
    if (lib === 'ml-knn') return [await measureW5MlKnn()];
    throw new Error(`W5: unknown library '${lib}' (llmcore, ml-knn, pytorch, scikit-learn)`);
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const arg = (name: string): number | undefined => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
  const lib = args.includes('--lib') ? args[args.indexOf('--lib') + 1] : 'llmcore';
  const o: W5Options = { points: arg('--points'), queries: arg('--queries') };
  const m = lib === 'ml-knn' ? await measureW5MlKnn(o) : await (async () => { const { neighbors, ...r } = await measureW5Llmcore(o); void neighbors; return r; })();
  console.log(args.includes('--json') ? JSON.stringify(m) : `W5 ${m.lib}: ${m.value.toFixed(1)} ${m.unit} (${m.shape}, k = 10, threads ${m.threads})`);
}
