import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../../src/backend/js/index.js';
import { tensor } from '../../src/tensor/create.js';
import { Generator } from '../../src/util/random.js';
import { Linear, Sequential, ReLU } from '../../src/nn/layers.js';
import { StateDictError } from '../../src/nn/module.js';
import { Adam } from '../../src/optim/adam.js';
import { LRScheduler, cosine } from '../../src/optim/schedules.js';
import { decodeSafetensors, SafetensorsError } from '../../src/io/safetensors.js';
import {
  loadOptimizerState, loadSafetensors, loadStateDictFile, readSafetensorsHeader, saveOptimizerState, saveSafetensors, saveStateDict,
} from '../../src/io/file.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'llmcore-io-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('saveSafetensors / loadSafetensors round trip', () => withDir(async (dir) => {
  const path = join(dir, 'w.safetensors');
  await saveSafetensors(path, { w: tensor([[1, 2], [3, 4]]), ids: tensor([1, 2], { dtype: 'int32' }) }, { metadata: { epoch: '3' } });
  const { tensors, metadata } = await loadSafetensors(path);
  assert.deepEqual(tensors.w.toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(Array.from(tensors.ids.data), [1, 2]);
  assert.deepEqual(metadata, { epoch: '3' });
  assert.deepEqual(await readdir(dir), ['w.safetensors'], 'no temporary file is left behind');
}));

test('a save that fails after writing the temporary file leaves the old file intact and no temporary file', () => withDir(async (dir) => {
  const path = join(dir, 'model.safetensors');
  await saveSafetensors(path, { w: tensor([1, 2, 3]) });
  const before = await readFile(path);
  let tempSeen = '';
  await assert.rejects(
    saveSafetensors(path, { w: tensor([9, 9, 9, 9]) }, {
      beforeRename: async (temp) => {
        tempSeen = temp;
        // the new bytes are complete on disk at this point...
        assert.deepEqual(Array.from(decodeSafetensors(await readFile(temp)).tensors.w.data), [9, 9, 9, 9]);
        throw new Error('simulated crash');
      },
    }),
    (err: Error) => err instanceof SafetensorsError && err.message.includes(path) && err.message.includes('simulated crash'),
  );
  assert.ok(tempSeen.startsWith(dir), 'the temporary file lives in the target directory (same file system)');
  assert.deepEqual(await readFile(path), before, 'old file untouched');
  assert.deepEqual(await readdir(dir), ['model.safetensors'], 'temporary file removed');
}));

test('a process killed mid-save leaves the previous file intact', () => withDir(async (dir) => {
  const path = join(dir, 'ckpt.safetensors');
  await saveSafetensors(path, { w: tensor([1, 2, 3]) });
  const before = await readFile(path);
  const fileModule = fileURLToPath(new URL('../../src/io/file.ts', import.meta.url));
  const createModule = fileURLToPath(new URL('../../src/tensor/create.ts', import.meta.url));
  const script = join(dir, 'crash.mts'); // .mts: an ES module wherever it lives
  await writeFile(script, [
    `import { saveSafetensors } from ${JSON.stringify(fileModule)};`,
    `import { tensor } from ${JSON.stringify(createModule)};`,
    `await saveSafetensors(${JSON.stringify(path)}, { w: tensor(new Float32Array(100000)) }, { beforeRename: () => process.exit(3) });`,
  ].join('\n'));
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', cwd: repo });
  assert.equal(run.status, 3, run.stderr);
  const left = (await readdir(dir)).filter((f) => f.endsWith('.tmp'));
  assert.equal(left.length, 1, 'the crash came after the new bytes were written (a stray temporary file is expected)');
  assert.deepEqual(await readFile(path), before, 'the target still holds the previous checkpoint');
  assert.deepEqual(Array.from((await loadSafetensors(path)).tensors.w.data), [1, 2, 3]);
}));

test('an unencodable input fails before anything touches the disk', () => withDir(async (dir) => {
  const path = join(dir, 'x.safetensors');
  await assert.rejects(saveSafetensors(path, { w: 5 as never }), /'w' is not a Tensor/);
  assert.deepEqual(await readdir(dir), []);
}));

test('load errors name the path and the problem', () => withDir(async (dir) => {
  const missing = join(dir, 'nope.safetensors');
  await assert.rejects(loadSafetensors(missing), (err: Error) => err instanceof SafetensorsError && err.message.includes(missing) && /ENOENT/.test(err.message));
  const path = join(dir, 'cut.safetensors');
  await saveSafetensors(path, { w: tensor([1, 2, 3, 4]) });
  const bytes = await readFile(path);
  await writeFile(path, bytes.subarray(0, bytes.length - 3));
  await assert.rejects(loadSafetensors(path), (err: Error) => err.message.includes(path) && /'w': data_offsets \[0, 16\] run past the end/.test(err.message));
}));

const mlp = (seed: number, hidden = 4): Sequential => {
  const g = new Generator(seed);
  return new Sequential(new Linear(3, hidden, { generator: g }), new ReLU(), new Linear(hidden, 2, { generator: g }));
};

test('saveStateDict / loadStateDictFile restore a model exactly (PyTorch key names)', () => withDir(async (dir) => {
  const path = join(dir, 'model.safetensors');
  const a = mlp(1);
  await saveStateDict(path, a, { metadata: { config: '{"hidden":4}' } });
  const { tensors } = await loadSafetensors(path);
  assert.deepEqual(Object.keys(tensors).sort(), ['0.bias', '0.weight', '2.bias', '2.weight']);
  const b = mlp(2);
  const metadata = await loadStateDictFile(path, b);
  assert.deepEqual(metadata, { config: '{"hidden":4}' });
  for (const [k, t] of Object.entries(a.stateDict())) assert.deepEqual(b.stateDict()[k].data, t.data, k);
}));

test('loadStateDictFile: missing, unexpected, wrong-shape and wrong-dtype keys are errors naming key, shapes and path', () => withDir(async (dir) => {
  const path = join(dir, 'bad.safetensors');
  const model = mlp(1);
  const sd = model.stateDict();
  await saveSafetensors(path, { '0.weight': sd['0.weight'], '0.bias': tensor([1, 2, 3]), '2.weight': sd['2.weight'], extra: tensor([1]) });
  await assert.rejects(loadStateDictFile(path, mlp(3)), (err: Error) => {
    assert.ok(err instanceof StateDictError);
    assert.ok(err.message.includes(path));
    assert.match(err.message, /shape mismatch for '0.bias': checkpoint has \(3,\), model expects \(4,\)/);
    assert.match(err.message, /missing key '2.bias' \(expected shape \(2,\)\)/);
    assert.match(err.message, /unexpected key 'extra' \(shape \(1,\)\)/);
    return true;
  });
  // strict: false forgives missing and unexpected keys, never a shape mismatch
  await assert.rejects(loadStateDictFile(path, mlp(3), { strict: false }), /shape mismatch for '0.bias'.*\(3,\).*\(4,\)/);
  await saveSafetensors(path, { '0.weight': sd['0.weight'], extra: tensor([1]) });
  const partial = mlp(3);
  const before2 = partial.stateDict()['2.weight'].toFloat32Array();
  await loadStateDictFile(path, partial, { strict: false });
  assert.deepEqual(partial.stateDict()['0.weight'].data, sd['0.weight'].data);
  assert.deepEqual(partial.stateDict()['2.weight'].toFloat32Array(), before2);
  // an integer tensor where the model has floats
  await saveSafetensors(path, { ...sd, '0.bias': tensor([1, 2, 3, 4], { dtype: 'int32' }) });
  await assert.rejects(loadStateDictFile(path, mlp(3)), /dtype mismatch for '0.bias': checkpoint has int32, model expects float32/);
}));

test('a checkpoint written as F16 loads into a float32 model within float16 precision', () => withDir(async (dir) => {
  const path = join(dir, 'half.safetensors');
  const a = mlp(4);
  await saveStateDict(path, a, { dtype: 'F16' });
  const b = mlp(5);
  await loadStateDictFile(path, b);
  for (const [k, t] of Object.entries(a.stateDict())) {
    const got = b.stateDict()[k].toFloat32Array();
    t.toFloat32Array().forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= Math.abs(v) * 2 ** -11 + 2 ** -24, `${k}[${i}]`));
  }
}));

test('saveOptimizerState / loadOptimizerState resume Adam and its schedule bit for bit', () => withDir(async (dir) => {
  const path = join(dir, 'optim.safetensors');
  const grads = (t: number): number[][] => [[0.1 * t, -0.2, 0.3], [0.5, -t]];
  const make = () => {
    const ps = [tensor([1, 2, 3], { requiresGrad: true }), tensor([-1, 0.5], { requiresGrad: true })];
    const opt = new Adam(ps, { lr: 0.01, weightDecay: 0.1, amsgrad: true });
    return { ps, opt, sched: new LRScheduler(opt, cosine(10, 0.001, 2)) };
  };
  const run = (r: ReturnType<typeof make>, t: number): void => {
    r.ps.forEach((p, i) => { p.grad = tensor(grads(t)[i]); });
    r.opt.step();
    r.sched.step();
  };
  const a = make();
  for (let t = 1; t <= 3; t++) run(a, t);
  await saveOptimizerState(path, a.opt, { scheduler: a.sched });
  const b = make();
  b.ps.forEach((p, i) => (p.data as Float32Array).set(a.ps[i].data));
  await loadOptimizerState(path, b.opt, { scheduler: b.sched });
  assert.equal(b.sched.lastStep, 3);
  for (let t = 4; t <= 6; t++) { run(a, t); run(b, t); }
  a.ps.forEach((p, i) => assert.deepEqual(b.ps[i].data, p.data));
  assert.deepEqual(b.opt.paramGroups[0].lr, a.opt.paramGroups[0].lr);
  // loading into an optimizer over different shapes names the buffer and both shapes
  const other = new Adam([tensor([1, 2], { requiresGrad: true }), tensor([1, 2], { requiresGrad: true })], { amsgrad: true });
  await assert.rejects(loadOptimizerState(path, other), (err: Error) => err.message.includes(path) && /'state\.0\.exp_avg' has shape \(3,\), parameter 0 has \(2,\)/.test(err.message));
}));

test('readSafetensorsHeader: names, dtypes and shapes without the data, checked against the file size', () => withDir(async (dir) => {
  const path = join(dir, 'w.safetensors');
  await saveSafetensors(path, { w: tensor([[1, 2, 3], [4, 5, 6]]), b: tensor([7, 8]) }, { dtype: 'F16', metadata: { step: '3' } });
  const h = await readSafetensorsHeader(path);
  assert.deepEqual(h.tensors, { b: { dtype: 'F16', shape: [2] }, w: { dtype: 'F16', shape: [2, 3] } });
  assert.deepEqual(h.metadata, { step: '3' });
  // a header that claims more data than the file holds (a huge shape) is refused, not believed
  const bytes = await readFile(path);
  await writeFile(join(dir, 'cut.safetensors'), bytes.subarray(0, bytes.length - 2));
  await assert.rejects(readSafetensorsHeader(join(dir, 'cut.safetensors')), /cut\.safetensors.*run past the end of the data section/);
  await writeFile(join(dir, 'tiny.safetensors'), Buffer.from([1, 2, 3]));
  await assert.rejects(readSafetensorsHeader(join(dir, 'tiny.safetensors')), /tiny\.safetensors.*shorter than the 8-byte header length/);
  await assert.rejects(readSafetensorsHeader(join(dir, 'none.safetensors')), /none\.safetensors.*ENOENT/);
}));
