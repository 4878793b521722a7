/**
 * ONNX export of llmcore's Transformers (browser-safe: the functions return the bytes of .onnx files):
 * the translator as an encoder graph and a decoder-step graph with its KV cache as inputs/outputs, the
 * GPT as one graph with past/present keys and values; and greedy decoding over those graphs in ONNX
 * Runtime (passed in, so that onnxruntime-node and onnxruntime-web both serve). docs/onnx.md lists
 * every input and output. `llmcore export onnx` writes a model directory's graphs to disk.
 */
export { GraphBuilder, ONNX_OPSET, ONNX_IR_VERSION, type OnnxElemType, type OnnxDim } from './graph.js';
export { exportTranslatorOnnx, TRANSLATOR_NAMES, type TranslatorOnnx, type OnnxExportOptions } from './translator.js';
export { exportGptOnnx, GPT_NAMES } from './gpt.js';
export {
  greedyTranslateOnnx, greedyGptOnnx,
  type OnnxSessionLike, type OnnxTensorLike, type OnnxRuntimeLike, type OnnxDecoderShape, type OnnxGreedyOptions, type OnnxHypothesis,
} from './session.js';
