/** Why a sentence was refused, as a stable code. */
export type RefusalCode =
  | 'GH_NL_TOO_LONG'
  | 'GH_NL_UNPARSED'
  | 'GH_NL_NO_EFFECT'
  | 'GH_NL_AMBIGUOUS_EFFECT'
  | 'GH_NL_NO_ACTION'
  | 'GH_NL_NO_TOOL'
  | 'GH_NL_NO_ARGUMENT'
  | 'GH_NL_UNSUPPORTED';

/** A sentence the compiler will not turn into a rule, with the part it did not understand. */
export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
  /** The words no phrase of the grammar consumed, in order. */
  readonly unparsed: readonly string[];
  /** Close words from the policy's vocabulary, for a did-you-mean. */
  readonly suggestions: readonly string[];
}

/** A refusal as a compile result. */
export const refuse = (
  code: RefusalCode,
  message: string,
  unparsed: string[] = [],
  suggestions: string[] = [],
): { ok: false; refusal: Refusal } => ({
  ok: false,
  refusal: { code, message, unparsed, suggestions },
});
