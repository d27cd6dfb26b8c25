import { cue, type InjectionRule, SEP } from './injection-rule.js';

/**
 * Orders the text does not hold: it tells its reader to fetch the rest from elsewhere and obey it (Greshake et
 * al.'s staged payload), or keeps orders for whatever processes it. A person is sent to a page to read it; only
 * a program with a browser is told to load a page and carry out what it says, and a person's instructions name
 * the person. No attack word is needed ("open the linked page and apply it"), so this is a cue the model weighs
 * (of the corpora's records it hits, all but one are attacks), not a rule.
 */
export const STANDING_CUES: readonly InjectionRule[] = cue(
  'cue-remote-orders',
  [
    'fetch',
    'retriev',
    'load',
    'open',
    'download',
    'read',
    'visit',
    'get',
    'pull',
    'instructions',
    'steps',
    'rules',
    'orders',
    'directions',
  ],
  [
    // Fetch, then obey what was fetched: "download the notice and act on it". Not "follow the prompts", which a
    // person does in an installer.
    `\\b(?:fetch|retrieve|load|open|download|read|visit|get|pull)${SEP}(?:it|them|that|this|(?:the|that|this)${SEP}(?:page|file|document|link|url|addendum|notice|update))${SEP}(?:first${SEP})?(?:and|then|,)${SEP}(?:then${SEP})?(?:follow|apply|execute|carry out|obey|act on|implement)\\b(?!${SEP}(?:the${SEP})?(?:prompts|on-screen|wizard|installer|setup))`,
    // Orders kept for whatever processes the text, not for a named person.
    `\\b(?:instructions|steps|rules|orders|directions)${SEP}for${SEP}(?:whoever|anyone|any${SEP}(?:system|agent|tool|assistant|bot|automation|reader)|the${SEP}(?:system|agent|tool|assistant|bot|automation|reader))${SEP}(?:that${SEP}|who${SEP})?(?:processes|processing|reads|reading|handles|handling)\\b`,
  ],
);
