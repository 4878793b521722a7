/** Neural-network modules, PyTorch-style. */
export { Module, Parameter, StateDictError, type LoadStateDictOptions } from './module.js';
export { Linear, Embedding, LayerNorm, Dropout, ReLU, GELU, Tanh, Sigmoid, Sequential, ModuleList, type UnaryModule, type InitOptions } from './layers.js';
export * as init from './init.js';
export * from './rnn.js';
export { Conv1D } from './conv1d.js';
export { MultiheadAttention, KVCache, scaledDotProductAttention, splitHeads, mergeHeads, appendToCache, generateSquareSubsequentMask, causalMask, paddingMask, additiveMask, MASKED, type AttentionResult, type AttentionOptions, type AttentionForwardOptions, type MultiheadAttentionOptions, type CachedKV } from './attention.js';
export { Transformer, TransformerEncoder, TransformerDecoder, TransformerEncoderLayer, TransformerDecoderLayer, type TransformerOptions, type TransformerLayerOptions, type TransformerForwardOptions, type EncoderLayerForwardOptions, type DecoderLayerForwardOptions, type AttentionRecord } from './transformer.js';
export { PositionalEncoding, TokenEmbedding, sinusoidalPositionalEncoding } from './positional.js';
