/** Text: Chinese normalisation and segmentation, English tokenize/detokenize, vocabularies, BPE subwords. */
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
