/**
 * Decoding: greedy search, beam search and sampling over any `StepModel`. The models' adapters live with the
 * models (src/models/seq2seq/step.ts, src/models/lm/step.ts).
 */
export { lengthNormalized, topK, type StepModel, type StepOutput, type StepCandidates, type Hypothesis, type SearchOptions } from './search.js';
export { greedySearch } from './greedy.js';
export { beamSearch, beamSearchAll, type BeamSearchOptions } from './beam.js';
export { sample, checkSamplingOptions, type SamplingOptions, type SampleResult } from './sample.js';
