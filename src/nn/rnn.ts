/**
 * Recurrent layers, the family PyTorch keeps in torch.nn.modules.rnn. This module is the family's
 * public face; each concept has one home under recurrent/:
 * - cells.ts    the cells side by side (RNN tanh/relu, LSTM, GRU): pointwise step kernels over ONE
 *               buffer type (StepBuffers) and the reference cells built from differentiable ops;
 * - layer.ts    one layer over a whole sequence as a single autograd op (forward and backward through time);
 * - stack.ts    runRecurrent: stacked layers, input projections, dropout between layers;
 * - state.ts    the recurrent state: RecurrentState, detachState, initial-state checks;
 * - modules.ts  the modules RNN, LSTM, GRU and their cells RNNCell, LSTMCell, GRUCell.
 * lstm.ts and gru.ts re-export their own kind's names, so older imports keep working.
 */
export {
  RNN_TANH, RNN_RELU, LSTM_KERNEL, GRU_KERNEL, rnnCellReference, lstmCellReference, gruCellReference,
  type CellKernel, type StepBuffers, type StepGradBuffers, type LayerWeights,
} from './recurrent/cells.js';
export { recurrentLayer, type LayerResult } from './recurrent/layer.js';
export { runRecurrent, type RecurrentRunOptions, type RecurrentOutput } from './recurrent/stack.js';
export { detachState, type RecurrentState } from './recurrent/state.js';
export {
  RecurrentBase, CellBase, RNN, RNNCell, LSTM, LSTMCell, GRU, GRUCell,
  type RecurrentOptions, type RNNOptions, type LSTMOutput,
} from './recurrent/modules.js';
