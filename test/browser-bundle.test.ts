// The engine's public entry bundles for browsers (no Node-only imports reachable from it) and runs in a
// bare JavaScript context without process, require or Buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

test('src/index.ts bundles for the browser and trains a tiny model in a bare context', async () => {
  const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'llmcore', write: false, logLevel: 'silent', metafile: true });
  const code = result.outputFiles[0].text;
  // a static import of a Node builtin would fail to resolve for the browser, or be left external
  const nodeImports = Object.values(result.metafile!.inputs).flatMap((i) => i.imports).filter((i) => i.path.startsWith('node:') || /^(fs|path|os|worker_threads|child_process|crypto)$/.test(i.path));
  assert.deepEqual(nodeImports, []);
  // the globals a browser page has that the engine uses (no process, require, Buffer)
  const context = vm.createContext({ console, TextEncoder, TextDecoder, WebAssembly, performance, Intl, atob, btoa });
  vm.runInContext(code, context);
  const out = vm.runInContext(`(() => {
    const { tensor, nn, optim, crossEntropy, Generator, getBackend } = llmcore;
    const g = new Generator(0);
    const model = new nn.Sequential(new nn.Linear(2, 8, { generator: g }), new nn.Tanh(), new nn.Linear(8, 2, { generator: g }));
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    for (let i = 0; i < 300; i++) { opt.zeroGrad(); crossEntropy(model.forward(x), [0, 1, 1, 0]).backward(); opt.step(); }
    return { backend: getBackend().name, pred: Array.from(model.forward(x).argmax(-1).toArray()) };
  })()`, context) as { backend: string; pred: number[] };
  assert.deepEqual(Array.from(out.pred), [0, 1, 1, 0]);
  assert.equal(out.backend, 'wasm', 'WebAssembly SIMD is there, so the fast backend is chosen without Node');
});
