/** The GRU's names, for imports of this path; the cell lives in recurrent/cells.ts, the modules in recurrent/modules.ts. */
export { GRU_KERNEL, gruCellReference } from './recurrent/cells.js';
export { GRU, GRUCell } from './recurrent/modules.js';
