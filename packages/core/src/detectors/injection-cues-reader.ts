import { cue, type InjectionRule, SEP } from './injection-rule.js';

/**
 * Whatever reads a text, named in the third person by what it does to the text: "the agent processing this
 * file", "a model reading this record", "any automated reader of this ticket", "the reviewing tool", "the next
 * process in this pipeline". A program named without that ("the build tool", "the process") is not the reader.
 */
const READER_NOUN = '(?:agent|assistant|model|bot|tool|reader|process|software|llm|ai|system|pipeline)';
const READS_THIS = `(?:(?:that|which|who)${SEP})?(?:reading|processing|handling|indexing|summari[sz]ing|reviewing|reads|processes|handles|indexes|summari[sz]es|reviews|of|in)${SEP}(?:this|the)${SEP}[a-z]+`;
const DETERMINER = `(?:the|a|an|any|every|each)${SEP}`;
/**
 * The reader after its determiner. The determiner is a lookbehind where the reader leads a match: matches are
 * tried where their first words occur, and "the" and "a" occur everywhere.
 */
const READER = `(?:(?:automated|reviewing|next|indexing|summari[sz]ing)${SEP}${READER_NOUN}(?:${SEP}${READS_THIS})?|${READER_NOUN}${SEP}${READS_THIS})`;
/** What may follow the modal before the verb. */
const THEN = `${SEP}(?:(?:now|first|also|immediately|then)${SEP}){0,2}`;
const MODAL = `(?:(?:is|are)${SEP})?(?:must|should|shall|will|is to|are to|is expected to|(?:is |are )?(?:authorized and )?required to)`;
/**
 * The reader in the third person, by what it does to this text ("the agent processing this file should …",
 * "a model reading this record is required to …", "it is the responsibility of the bot that indexes this page to
 * …"): an order to whatever reads the text, written so that no "you" or "assistant" addresses it. A cue-obligation
 * like "you must …"; `action` is the tool-like verbs (injection-cues.ts, which imports this module).
 */
export function thirdPersonObligation(action: string): InjectionRule[] {
  return cue(
    'cue-obligation',
    [
      'reading',
      'processing',
      'handling',
      'indexes',
      'indexing',
      'summarizes',
      'summarizing',
      'summarises',
      'summarising',
      'reviewing',
      'automated',
      'whoever',
    ],
    [
      `(?<=\\b${DETERMINER})${READER}${SEP}${MODAL}${THEN}${action}\\b`,
      `\\bwhoever(?: \\(or whatever\\))?${SEP}${READS_THIS}${SEP}${MODAL}${THEN}${action}\\b`,
      `\\b(?:responsibility of|behaviou?r of|instructions for|note for)${SEP}${DETERMINER}${READER}(?:${SEP}to|\\s{0,2}:)${THEN}${action}\\b`,
    ],
  );
}
