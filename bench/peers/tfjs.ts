/**
 * TensorFlow.js as a peer, with the backends that install from the npm registry here: the wasm
 * backend (SIMD; one thread under Node) and the pure-JS cpu backend. tfjs-node is not used: it
 * downloads a native binary at install time, which this project's install must not do.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

export type TfLib = 'tfjs-wasm' | 'tfjs-cpu';
export const TF_LIBS: TfLib[] = ['tfjs-wasm', 'tfjs-cpu'];

let wasmPathSet = false;
let gradientsRegistered = false;

/** Switches tfjs to the backend of `lib` and returns the tf namespace. */
export async function useTf(lib: TfLib): Promise<typeof tf> {
  if (!gradientsRegistered) {
    // Gradients are registered by the umbrella @tensorflow/tfjs package, which is not installed; the
    // node bundle of tfjs-core leaves them out. Its per-file build (ESM syntax, extensionless imports)
    // loads through require under tsx, and registers into the same global engine and registry.
    createRequire(import.meta.url)('@tensorflow/tfjs-core/dist/register_all_gradients');
    gradientsRegistered = true;
  }
  if (lib === 'tfjs-wasm' && !wasmPathSet) {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(pathToFileURL(dir).href + '/');
    wasmPathSet = true;
  }
  const name = lib === 'tfjs-wasm' ? 'wasm' : 'cpu';
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
  return tf;
}
