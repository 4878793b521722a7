/** The reference backend: plain TypeScript, the living definition of every kernel. */
import type { Backend } from '../backend.js';
import { binary, unary, unaryBackward, where } from './elementwise.js';
import { matmul } from './matmul.js';
import {
  crossEntropy, crossEntropyBackward, indexAdd, indexSelect, gather, layerNorm, layerNormBackward, scatterAdd, softmax, softmaxBackward,
} from './nn.js';
import { argReduce, reduce } from './reduce.js';
import { lstmCell, lstmCellBackward } from './lstm.js';
import { adam } from './optim.js';
import { attention, attentionBackward } from './attention.js';
import { addIntoStrided, copyStrided } from './strided.js';

/** A fresh instance of the reference backend. */
export function createJsBackend(): Backend {
  return {
    name: 'js',
    copyStrided, addIntoStrided, unary, unaryBackward, binary, where, reduce, argReduce, matmul,
    lstmCell, lstmCellBackward, adam, attention, attentionBackward,
    softmax, softmaxBackward, crossEntropy, crossEntropyBackward, layerNorm, layerNormBackward, indexSelect, indexAdd, gather, scatterAdd,
  };
}
