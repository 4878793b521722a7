/**
 * `npm run bench -- [WORKLOAD ...] [--lib NAME ...] [--json]`
 * Runs the reference workloads on llmcore and its peers and prints a table of values with the ratio
 * ours/peer (or one JSON object per measurement and line with --json). Each workload runs for each
 * library in a process of its own (this script with --child), so no library measures inside another's
 * heap, threads or JIT state: run in one process, W4 on llmcore after the TF.js workloads measured
 * 6.3 ms where it measures 3.4–4.2 ms alone.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { w1 } from './w1-matmul.js';
import { w2Small, w2Tiny } from './w2-transformer.js';
import { w3Lstm, w3Rnn } from './w3-lm.js';
import { w4 } from './w4-decode.js';
import { w5Knn } from './knn.js';
import { w6 } from './w6-gpt.js';
import { w7 } from './w7-vit.js';
import { loadavg } from 'node:os';
import { getBackend } from '../src/backend/backend.js';
import type { Measurement, Workload } from './workload.js';

const WORKLOADS: Workload[] = [w1, w2Tiny, w2Small, w3Lstm, w3Rnn, w4, w5Knn, w6, w7];

function parseArgs(argv: string[]): { ids: string[]; libs: string[]; json: boolean } {
  const ids: string[] = [];
  const libs: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--lib') libs.push(...(argv[++i] ?? '').split(','));
    else if (a === '--help' || a === '-h') {
      console.log(`usage: npm run bench -- [WORKLOAD ...] [--lib NAME[,NAME]] [--json]\nworkloads: ${WORKLOADS.map((w) => w.id).join(', ')}\nlibraries: ${[...new Set(WORKLOADS.flatMap((w) => w.libs))].join(', ')}`);
      process.exit(0);
    } else ids.push(a);
  }
  return { ids, libs, json };
}

/** The 1/5/15-minute load averages: a busy machine halves the two-thread figures, so every run states it. */
function load(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}

function key(m: Measurement): string {
  return [m.workload, m.shape ?? '', m.trans ?? ''].join(' ');
}

/** One workload on one library in a child process: its measurements (JSON lines on stdout); its stderr passes through. */
function runIsolated(id: string, lib: string): Promise<Measurement[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', id, lib], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${id} on ${lib} failed (exit ${code}); npx tsx bench/run.ts --child ${id} ${lib} reruns it alone`));
      resolve(out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Measurement));
    });
  });
}

async function child(id: string, lib: string): Promise<void> {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload '${id}'`);
  for (const m of await w.run(lib)) console.log(JSON.stringify(m));
  process.exit(0); // a library's worker threads must not keep the child alive
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4]);
  const { ids, libs, json } = parseArgs(process.argv.slice(2));
  const known = new Set(WORKLOADS.map((w) => w.id));
  for (const id of ids) if (!known.has(id)) throw new Error(`unknown workload '${id}' (known: ${[...known].join(', ')})`);
  const chosen = WORKLOADS.filter((w) => ids.length === 0 || ids.includes(w.id));
  const results: Measurement[] = [];
  const skipped: { workload: string; lib: string; why: string }[] = [];
  const loadAtStart = load();
  const startedAt = new Date().toISOString();
  if (json) console.log(JSON.stringify({ event: 'start', time: startedAt, loadavg: loadAtStart }));
  else process.stderr.write(`load average at start (1, 5, 15 min): ${loadAtStart}\n`);
  for (const w of chosen) {
    for (const lib of w.libs.filter((l) => libs.length === 0 || libs.includes(l))) {
      const why = w.skip?.[lib];
      if (why && !libs.includes(lib)) {
        skipped.push({ workload: w.id, lib, why });
        process.stderr.write(`skipping ${w.id} on ${lib}: ${why} (--lib ${lib} runs it)\n`);
        continue;
      }
      if (!json) process.stderr.write(`running ${w.id} on ${lib}…\n`);
      for (const m of await runIsolated(w.id, lib)) {
        results.push(m);
        if (json) console.log(JSON.stringify(m));
      }
    }
  }
  const loadAtEnd = load();
  if (json) {
    console.log(JSON.stringify({ event: 'end', time: new Date().toISOString(), loadavg: loadAtEnd }));
    return;
  }
  const rows = new Map<string, Measurement[]>();
  for (const m of results) rows.set(key(m), [...(rows.get(key(m)) ?? []), m]);
  const peers = [...new Set([...results, ...skipped].map((m) => m.lib))].filter((l) => l !== 'llmcore');
  const header = ['workload', 'unit', 'llmcore', ...peers.flatMap((p) => [p, `ratio vs ${p}`])];
  const table = [header];
  for (const [k, ms] of rows) {
    const ours = ms.find((m) => m.lib === 'llmcore');
    const line = [k, ms[0].unit, ours ? ours.value.toFixed(1) : '—'];
    for (const p of peers) {
      const peer = ms.find((m) => m.lib === p);
      const w = WORKLOADS.find((x) => x.id === ms[0].workload)!;
      const skip = skipped.some((x) => x.workload === w.id && x.lib === p);
      line.push(peer ? peer.value.toFixed(1) : skip ? 'skipped' : '—');
      line.push(ours && peer ? `${(w.higherIsBetter ? ours.value / peer.value : peer.value / ours.value).toFixed(2)}×` : '—');
    }
    table.push(line);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  console.log(`\nload average (1, 5, 15 min) at start ${loadAtStart} (${startedAt}), at end ${loadAtEnd} (${new Date().toISOString()}); 2 cores`);
  console.log(`llmcore backend: ${getBackend().name} (LLMCORE_BACKEND=wasm or LLMCORE_NATIVE=0 measures the WebAssembly kernels)`);
  console.log(`ratio = ours/peer for throughput, peer/ours for ms (W4): above 1× llmcore is faster. — = not measured for that lib.`);
  console.log('each workload ran on each library in a process of its own');
  for (const w of chosen) for (const n of w.notes ?? []) console.log(n);
  // the same model on both sides: its size and the matmul work of one step, as each library counted them
  for (const m of results) {
    if (m.params !== undefined || m.flopsPerStep !== undefined) {
      console.log(`${m.workload} ${m.lib}: ${m.params?.toLocaleString('en-US') ?? '?'} parameters, ${m.flopsPerStep?.toLocaleString('en-US') ?? '?'} matmul FLOPs per step`);
    }
  }
  for (const x of skipped) console.log(`skipped: ${x.workload} on ${x.lib}: ${x.why} (npm run bench -- ${x.workload} --lib ${x.lib} runs it)`);
  // threads each library ran with (PyTorch and scikit-learn report the better of 1 and all cores)
  for (const lib of ['llmcore', ...peers]) {
    const byThreads = new Map<number, Set<string>>();
    for (const m of results.filter((r) => r.lib === lib)) byThreads.set(m.threads, (byThreads.get(m.threads) ?? new Set()).add(m.workload));
    if (byThreads.size === 0) continue;
    const parts = [...byThreads].map(([t, ws]) => (byThreads.size === 1 ? `${t}` : `${t} (${[...ws].join(', ')})`));
    console.log(`threads ${lib}: ${parts.join('; ')}`);
  }
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
