/**
 * W5 with the wasm backend (work in progress elsewhere), to see where the engine's matmul takes KNN:
 *   npx tsx scripts/iris-w5-wasm.ts
 */
import { listBackends, registerBackend, setBackend } from '../src/backend/backend.js';
import { createWasmBackend } from '../src/backend/wasm/index.js';
import { measureW5Llmcore } from '../bench/knn.js';

if (!listBackends().includes('wasm')) registerBackend('wasm', createWasmBackend);
setBackend('wasm');
await new Promise((r) => setTimeout(r, 500)); // let the worker threads start
const { neighbors, ...m } = await measureW5Llmcore();
void neighbors;
console.log(JSON.stringify(m));
process.exit(0);
