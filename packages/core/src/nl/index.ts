/**
 * Natural-language rules: a controlled-English compiler over a policy's own vocabulary, the
 * verification every draft passes before adoption, and the reverse rendering of rules as
 * sentences. Pure: the CLI reads files and talks to models; this folder only computes.
 */
export {
  compileSentence,
  MAX_SENTENCE_LENGTH,
  type Refusal,
  type RefusalCode,
  type SentenceResult,
} from './compile-sentence.js';
export { describeRule } from './describe.js';
export { type Draft, draftFromFragment, draftFromSentences, renderFragment, stripPolicy } from './draft.js';
export { declaredGroups, ruleFromMeaning, ruleIdFor } from './emit-rule.js';
export { type Condition, conditionCel, type SentenceMeaning } from './meaning.js';
export { MAX_PROBES, type Probe, predictedEffect, probesFor, ruleSelects, widens } from './probes.js';
export {
  type DecisionChange,
  MAX_FRAGMENT_RULES,
  type VerificationCheck,
  type VerificationReport,
  verifyFragment,
} from './verify.js';
export { editDistance, suggestionsFor, type Vocabulary, vocabularyOf } from './vocabulary.js';
