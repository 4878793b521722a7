/**
 * `npm run bench -- [WORKLOAD ...] [--lib NAME ...] [--json]`
 * Runs the reference workloads on llmcore and its peers in one process and prints a table of
 * values with the ratio ours/peer (or one JSON object per measurement and line with --json).
 */
import { w1 } from './w1-matmul.js';
import { w5Knn } from './knn.js';
import type { Measurement, Workload } from './workload.js';

const WORKLOADS: Workload[] = [w1, w5Knn];

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

function key(m: Measurement): string {
  return [m.workload, m.shape ?? '', m.trans ?? ''].join(' ');
}

async function main(): Promise<void> {
  const { ids, libs, json } = parseArgs(process.argv.slice(2));
  const known = new Set(WORKLOADS.map((w) => w.id));
  for (const id of ids) if (!known.has(id)) throw new Error(`unknown workload '${id}' (known: ${[...known].join(', ')})`);
  const chosen = WORKLOADS.filter((w) => ids.length === 0 || ids.includes(w.id));
  const results: Measurement[] = [];
  for (const w of chosen) {
    for (const lib of w.libs.filter((l) => libs.length === 0 || libs.includes(l))) {
      if (!json) process.stderr.write(`running ${w.id} on ${lib}…\n`);
      for (const m of await w.run(lib)) {
        results.push(m);
        if (json) console.log(JSON.stringify(m));
      }
    }
  }
  if (json) return;
  const rows = new Map<string, Measurement[]>();
  for (const m of results) rows.set(key(m), [...(rows.get(key(m)) ?? []), m]);
  const peers = [...new Set(results.map((m) => m.lib))].filter((l) => l !== 'llmcore');
  const header = ['workload', 'unit', 'llmcore', ...peers.flatMap((p) => [p, `ratio vs ${p}`])];
  const table = [header];
  for (const [k, ms] of rows) {
    const ours = ms.find((m) => m.lib === 'llmcore');
    const line = [k, ms[0].unit, ours ? ours.value.toFixed(1) : '—'];
    for (const p of peers) {
      const peer = ms.find((m) => m.lib === p);
      const w = WORKLOADS.find((x) => x.id === ms[0].workload)!;
      line.push(peer ? peer.value.toFixed(1) : '—');
      line.push(ours && peer ? `${(w.higherIsBetter ? ours.value / peer.value : peer.value / ours.value).toFixed(2)}×` : '—');
    }
    table.push(line);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
