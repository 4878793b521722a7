/** Decoding: greedy search and beam search over any `StepModel`, and the translation Transformer as one. */
export { lengthNormalized, topK, type StepModel, type StepOutput, type StepCandidates, type Hypothesis, type SearchOptions } from './search.js';
export { greedySearch } from './greedy.js';
export { beamSearch, beamSearchAll, type BeamSearchOptions } from './beam.js';
export { Seq2SeqStepModel, type Seq2SeqStepOptions, type AttentionLayers } from './seq2seq.js';
