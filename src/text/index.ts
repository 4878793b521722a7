/** Text: Chinese normalisation and segmentation, English tokenize/detokenize, vocabularies, BPE subwords, GPT-2 byte-level BPE. */
export {
  toSimplified,
  hasTraditional,
  normalizeChinese,
  normalizeChinesePunctuation,
  isHan,
  chineseChars,
  chineseWords,
  hanRuns,
  tokenizeChinese,
  type NormalizeChineseOptions,
  type ChineseSegmentation,
} from './chinese.js';
export {
  tokenizeEnglish,
  detokenizeEnglish,
  normalizeEnglish,
  Truecaser,
  HYPHEN_TOKEN,
  type EnglishTokenizeOptions,
  type EnglishDetokenizeOptions,
} from './english.js';
export { Vocab, countTokens, SPECIALS, PAD, BOS, EOS, UNK, PAD_ID, BOS_ID, EOS_ID, UNK_ID, type VocabBuildOptions, type VocabJSON } from './vocab.js';
export { Bpe, decodeBpe, BPE_CONTINUATION, type BpeLearnOptions, type BpeJSON } from './bpe.js';
export {
  ByteLevelBpe,
  preTokenize,
  displayBytes,
  BYTE_TO_CHAR,
  GPT2_PRETOKENIZE_PATTERN,
  type AddedToken,
  type ByteLevelBpeEncodeOptions,
  type ByteLevelBpeTrainOptions,
  type HfTokenizerJson,
} from './byte-bpe.js';
