/** The LSTM's names, for imports of this path; the cell lives in recurrent/cells.ts, the modules in recurrent/modules.ts. */
export { LSTM_KERNEL, lstmCellReference } from './recurrent/cells.js';
export { LSTM, LSTMCell, type LSTMOutput } from './recurrent/modules.js';
