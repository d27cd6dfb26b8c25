/**
 * @gatehouse/core: the policy language and the policy decision point.
 *
 * Pure and synchronous: nothing here does I/O. The server and the SDK feed it
 * sources and requests and act on its decisions.
 *
 * @example
 * ```ts
 * import { compilePolicy, decide } from '@gatehouse/core';
 * const policy = compilePolicy({ name: 'policy.yaml', text });
 * const decision = decide(policy, { agent: 'email-assistant', tool: 'email.send', args: { to: ['bob@example.com'] } });
 * if (decision.effect !== 'allow') console.log(decision.reasons);
 * ```
 */
export {
  APPROVAL_STATUSES,
  type ApprovalRecord,
  type ApprovalStatus,
  type ApprovalVote,
  actionKey as approvalActionKey,
  cancel as cancelApproval,
  canonicalHash,
  castVote,
  effectiveStatus as effectiveApprovalStatus,
  expire as expireApproval,
  progress as approvalProgress,
  requirementsHash,
  spend as spendApproval,
  stillApproved,
  type VoteRefusal,
  type Voter,
} from './approvals/approval.js';
export {
  AUDIT_EVENT_TYPES,
  AUDIT_OUTCOMES,
  type AuditCheckpoint,
  type AuditDraft,
  type AuditEvent,
  type AuditEventType,
  type AuditOutcome,
  type AuditWhat,
  type AuditWhere,
  type AuditWho,
  type AuditWhy,
  auditColumn,
  auditHash,
  auditLink,
  canonicalJson,
  chainAuditEvent,
  checkpointPayload,
  GENESIS_HASH,
  openAuditEvent,
  type PreparedAuditEvent,
  prepareAuditEvent,
  type SealedAuditEvent,
  sealAuditEvent,
  sha256Hex,
  storableJson,
} from './audit/event.js';
export { isSecretKey, outputPreview, REDACTED, redactSecretFields } from './audit/redact.js';
export {
  AUDIT_PRUNE_ACTION,
  type AuditProblem,
  type AuditProblemKind,
  type AuditRow,
  type AuditVerification,
  type VerifyOptions,
  verifyAuditChain,
} from './audit/verify.js';
export { detectInjection, INJECTION_RULES, type InjectionScan } from './detectors/injection.js';
export type { InjectionFamily, InjectionRule } from './detectors/injection-rule.js';
export { detectPii } from './detectors/pii.js';
export { redactionMarker, redactText, redactValue, UNSCANNED, withheldOutput } from './detectors/redact.js';
export { inspectOutput, scanText, withClassifierScore } from './detectors/scan.js';
export { detectSecrets } from './detectors/secrets.js';
export {
  DEFAULT_SCAN_OPTIONS,
  DETECTOR_LABELS,
  type DetectorFinding,
  type DetectorName,
  PII_KINDS,
  type PiiKind,
  REDACTION_CLASSES,
  type RedactionClass,
  type ScanKind,
  type ScanOptions,
  type ScanResult,
} from './detectors/types.js';
export * from './errors.js';
export {
  type AccessTokenClaims,
  type ActorClaim,
  actorChain,
  type VerifiedIdentity,
} from './identity/claims.js';
export {
  formatScope,
  intersectScopes,
  narrowScopes,
  parseScope,
  patternWithin,
  withinGrants,
} from './identity/scope.js';
export {
  DEFAULT_JSON_LIMITS,
  JsonInputError,
  type JsonInputProblem,
  type JsonLimits,
  parseJsonStrict,
} from './json/strict-json.js';
export * from './nl/index.js';
export { EnforcementPath } from './path/enforce.js';
export {
  fingerprintsOfOutput,
  fingerprintsOfText,
  originsOfArguments,
  provenanceOfArguments,
  UNKNOWN_ORIGIN,
  VOUCHING_ORIGINS,
} from './path/fingerprints.js';
export { type InspectionSettings, safeRedact } from './path/inspect.js';
export {
  argumentContentLabels,
  decideAsThePath,
  explainAsThePath,
  type PathRequestPreparation,
  prepareAsThePath,
} from './path/offline.js';
export type {
  InspectionSummary,
  PathAuditEvent,
  PathDenialCode,
  PathOutcome,
  PathPorts,
  PathRequest,
  ToolBlock,
  UsageHold,
  UsagePort,
} from './path/path-contract.js';
export {
  isWellFormedSessionId,
  newSession,
  observeOutput,
  observeUserInput,
  originsInSession,
  provenanceInSession,
  recordCall,
  SESSION_ID_PATTERN,
  type SessionJournal,
  type SessionState,
} from './path/session.js';
export {
  applySessionChanges,
  deserializeSession,
  MemorySessionStore,
  type SerializedSession,
  type SerializedSessionChanges,
  serializeSession,
  startSessionJournal,
  takeSessionChanges,
} from './path/session-store.js';
export { MemoryUsageStore } from './path/usage.js';
export {
  type ArgumentLimits,
  ArgumentValidator,
  checkArgumentLimits,
  DEFAULT_ARGUMENT_LIMITS,
} from './path/validate-args.js';
export { categoriesFromAnnotations, type ToolAnnotations } from './policy/annotations.js';
export { checkPolicy, compilePolicy, MAX_POLICY_SOURCE_LENGTH } from './policy/compile.js';
export { decide, quotaRulesFor } from './policy/decide.js';
export { type EmailAddress, EmailAddressError, parseEmailAddress } from './policy/email-address.js';
export { explain } from './policy/explain.js';
export { compileGlob, type Glob } from './policy/glob.js';
export {
  classifySql,
  SQL_DIALECTS,
  type SqlClassification,
  SqlClassificationError,
  type SqlDialect,
} from './policy/sql-statement.js';
export { runPolicyTests } from './policy/test-runner.js';
export * from './policy/types.js';
export {
  type DocumentPath,
  formatPath,
  type LoadedDocument,
  type LoadYamlOptions,
  loadYamlDocuments,
  schemaDiagnostics,
  type YamlSource,
} from './yaml/document.js';
