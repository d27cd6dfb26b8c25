import type { AuditDraft, Draft } from '@gatehouse/core';
import { actionDraft } from '../audit/drafts.js';

/** A draft that compiled: its fragment, rules and verification report. */
export type CompiledDraft = Extract<Draft, { ok: true }>;

/** Most sentences one draft takes: a fragment is reviewed by a person, in one sitting. */
export const MAX_SENTENCES = 50;

/** The name a fragment is drafted under; the file it is adopted as is named after its first rule. */
export const FRAGMENT_NAME = 'nl-fragment.yaml';

/** The file an adopted fragment is written to in the policy folder: its first rule's id. */
export function fragmentFileName(draft: CompiledDraft): string {
  return `${draft.rules[0]?.id ?? 'nl-fragment'}.yaml`;
}

/** Why the notes of a draft's meanings, once each. */
export function draftNotes(draft: CompiledDraft): string[] {
  return [...new Set(draft.meanings.flatMap((m) => m.notes))];
}

/**
 * The audit event of an adoption: the sentences, the compiler, the digest of the report the
 * person saw, the file and whether it widens access. Written before the policy with the fragment
 * is activated: an adoption that cannot be recorded does not happen.
 */
export function adoptionEvent(input: {
  readonly sentences: readonly string[];
  readonly compiler: string;
  readonly draft: CompiledDraft;
  readonly file: string;
  readonly who: AuditDraft['who'];
  readonly door: string;
}): AuditDraft {
  return actionDraft({
    type: 'policy',
    action: 'policy.draft.applied',
    outcome: 'succeeded',
    who: input.who,
    door: input.door,
    extra: {
      sentences: input.sentences,
      compiler: input.compiler,
      report_digest: input.draft.report.digest,
      file: input.file,
      widening: input.draft.report.widening,
    },
  });
}
