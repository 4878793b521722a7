/** Neural-network modules, PyTorch-style. */
export { Module, Parameter, StateDictError, type LoadStateDictOptions } from './module.js';
export { Linear, Embedding, LayerNorm, Dropout, ReLU, GELU, Tanh, Sigmoid, Sequential, ModuleList, type UnaryModule, type InitOptions } from './layers.js';
export * as init from './init.js';
export * from './rnn.js'; export * from './lstm.js'; export * from './gru.js';
