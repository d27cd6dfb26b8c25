import {
  type AgentIdentity,
  type CompiledPolicy,
  compilePolicy,
  EnforcementPath,
  MemorySessionStore,
  MemoryUsageStore,
  type PathOutcome,
  type PolicySource,
} from '@gatehouse/core';
import { type AgentCredentials, agentTokenSource } from './token-source.js';

/** What the guard says about one call. */
export type GuardVerdict =
  | {
      readonly status: 'allowed';
      readonly decisionId: string;
      readonly sessionId: string;
      /** Hands the tool's output back for inspection (labels, provenance). */
      /** Reports the output for inspection; resolves to what the model may see, as the policy says. */
      report(output: unknown): Promise<InspectedOutput>;
    }
  | {
      readonly status: 'denied';
      readonly code: string;
      readonly reason: string;
      readonly decisionId?: string;
    }
  | {
      readonly status: 'approval-required';
      readonly reason: string;
      readonly decisionId?: string;
      readonly approval?: { readonly id?: string; readonly expiresAt?: string };
    };

/**
 * What a guarded tool returns instead of running: a result the model can
 * read and act on, rather than an exception that ends the agent loop.
 */
export interface GuardRefusal {
  readonly gatehouse: 'denied' | 'approval-required';
  readonly message: string;
  readonly code: string;
  readonly decision_id?: string;
  readonly approval_id?: string;
}

/** Thrown instead of returning a refusal when a call site asks for `throwOnRefusal`. */
export class GuardRefusedError extends Error {
  constructor(readonly refusal: GuardRefusal) {
    super(refusal.message);
    this.name = 'GuardRefusedError';
  }
}

/** Per-call extras. */
export interface CallOptions {
  /** The agent's stated reasoning: recorded with the decision. */
  readonly reasoning?: string;
  /** Whatever the policy should see as `context` (e.g. `{ uncertain: true }`). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Throw `GuardRefusedError` instead of returning a refusal. */
  readonly throwOnRefusal?: boolean;
}

/** The in-process policy enforcement point. */
export interface Guard {
  /** The session all calls through this guard belong to. */
  readonly sessionId: string;
  /** Decides one call; never throws (an unreachable decision point is a denial). */
  check(tool: string, args: Readonly<Record<string, unknown>>, options?: CallOptions): Promise<GuardVerdict>;
  /** Decides, runs `execute` if allowed, and reports its output; otherwise returns a refusal. */
  run<R>(
    tool: string,
    args: Readonly<Record<string, unknown>>,
    execute: () => Promise<R> | R,
    options?: CallOptions,
  ): Promise<R | GuardRefusal>;
  /** Wraps a tool function; its signature stays, its result may be a refusal. */
  wrap<A extends Readonly<Record<string, unknown>>, R, Rest extends unknown[]>(
    tool: string,
    fn: (args: A, ...rest: Rest) => Promise<R> | R,
    options?: CallOptions,
  ): (args: A, ...rest: Rest) => Promise<R | GuardRefusal>;
  /** Records values the user supplied (their prompt, form fields): labelled `user_input` for provenance. */
  userInput(values: unknown): void;
  /**
   * Endorses values, or a tool's output, as the user's own choice — the bill the user said to
   * pay, the contact they picked in the UI. Call it from application code, never on the
   * model's word: endorsed values count as `user_input` (and `endorsed`) for policy, and the
   * endorsement is audited with the next call.
   */
  endorse(values: unknown): void;
}

/**
 * Quota counts of the local guards in this process, shared by all of them so that an agent's
 * count does not start again with each guard (each session). A call counts once it is allowed:
 * the application runs it.
 */
const IN_PROCESS_USAGE = new MemoryUsageStore();

/** Local mode: the policy is evaluated in this process. */
export interface LocalGuardOptions {
  readonly policy: CompiledPolicy | PolicySource | string;
  /** The agent this process acts as: a name declared in the policy, or an identity. */
  readonly agent: string | AgentIdentity;
  readonly sessionId?: string;
}

/** Remote mode: the Gatehouse decision API decides. */
export type RemoteGuardOptions = RemoteGuardBase &
  (
    | {
        /** An access token from Gatehouse, or a function that returns a fresh one. */
        readonly token: string | (() => Promise<string> | string);
      }
    /**
     * Or the agent's own credentials: the guard fetches its access tokens and renews them
     * before they expire (and at once when the server refuses one).
     */
    | AgentCredentials
  );

/** What every remote guard is told. */
export interface RemoteGuardBase {
  /** The server's base URL, e.g. `http://127.0.0.1:4470`. */
  readonly server: string;
  readonly sessionId?: string;
  /** Per-request timeout; a slow decision point is a denial, never a pass. */
  readonly timeoutMs?: number;
  /**
   * How long a call that needs a person's approval waits for one (default
   * 30 s; 0 returns "pending" at once). Approved in time, the call runs;
   * otherwise the tool returns the pending approval's id, and the same call
   * retried later runs once it is approved.
   */
  readonly approvalWaitMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * Creates a guard. Local mode runs the same enforcement path as the server,
 * in process; remote mode asks the decision API. Both fail closed.
 *
 * @example
 * ```ts
 * const guard = createGuard({ policy: { name: 'policy.yaml', text }, agent: 'email-assistant' });
 * const sendEmail = guard.wrap('email.send', async (args: { to: string[]; subject: string; body: string }) => mailer.send(args));
 * // remote, with tokens fetched and renewed from the agent's own credentials:
 * const remote = createGuard({ server: 'http://127.0.0.1:4470', clientId, clientSecret });
 * ```
 */
export function createGuard(options: LocalGuardOptions | RemoteGuardOptions): Guard {
  const sessionId = options.sessionId ?? `ses_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`;
  const decideCall =
    'server' in options ? remoteDecider(options, sessionId) : localDecider(options, sessionId);
  let pendingUserInput: unknown[] = [];
  let pendingEndorsed: unknown[] = [];

  const guard: Guard = {
    sessionId,
    async check(tool, args, callOptions = {}) {
      const supplied: Supplied = {
        ...(pendingUserInput.length > 0 && { userInput: pendingUserInput }),
        ...(pendingEndorsed.length > 0 && { endorsed: pendingEndorsed }),
      };
      pendingUserInput = [];
      pendingEndorsed = [];
      try {
        return await decideCall(tool, args, callOptions, supplied);
      } catch (err) {
        return {
          status: 'denied',
          code: 'decision-unavailable',
          reason: `the decision point is unavailable (${messageOf(err)}); the call was not made`,
        };
      }
    },
    async run(tool, args, execute, callOptions = {}) {
      const verdict = await guard.check(tool, args, callOptions);
      if (verdict.status !== 'allowed') {
        const refusal = refusalOf(verdict);
        if (callOptions.throwOnRefusal) throw new GuardRefusedError(refusal);
        return refusal;
      }
      const output = await execute();
      let inspected: InspectedOutput;
      try {
        inspected = await verdict.report(output);
      } catch {
        return OUTPUT_WITHHELD;
      }
      if (inspected.withheld) return OUTPUT_POLICY_WITHHELD;
      // Redaction keeps the output's shape: strings become `[REDACTED:kind]`.
      return inspected.output as Awaited<ReturnType<typeof execute>>;
    },
    wrap(tool, fn, callOptions = {}) {
      return (args, ...rest) => guard.run(tool, args, () => fn(args, ...rest), callOptions);
    },
    userInput(values) {
      pendingUserInput.push(values);
    },
    endorse(values) {
      pendingEndorsed.push(values);
    },
  };
  return guard;
}

/** What the application supplied since the last call: the user's values and its endorsements. */
interface Supplied {
  readonly userInput?: unknown[];
  readonly endorsed?: unknown[];
}

type Decider = (
  tool: string,
  args: Readonly<Record<string, unknown>>,
  options: CallOptions,
  supplied: Supplied,
) => Promise<GuardVerdict>;

function localDecider(options: LocalGuardOptions, sessionId: string): Decider {
  const policy = isCompiled(options.policy) ? options.policy : compilePolicy(options.policy);
  const agent = typeof options.agent === 'string' ? policy.agents.get(options.agent) : options.agent;
  if (!agent) throw new Error(`agent '${String(options.agent)}' is not declared in the policy`);
  const path = new EnforcementPath({
    sessions: new MemorySessionStore(),
    usage: IN_PROCESS_USAGE,
    newId: (prefix) => `${prefix}_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`,
  });
  return async (tool, args, callOptions, supplied) => {
    const outcome = await path.enforce(policy, {
      agent,
      tool,
      args,
      sessionId,
      ...(supplied.userInput && { userInput: supplied.userInput }),
      ...(supplied.endorsed && { endorsed: supplied.endorsed }),
      ...(callOptions.reasoning !== undefined && { reasoning: callOptions.reasoning }),
      ...(callOptions.context && { context: callOptions.context }),
    });
    return verdictOf(outcome, async (output) => {
      const obligations = outcome.status === 'allowed' ? outcome.decision.obligations : undefined;
      const inspected = await path.recordOutcome(policy, {
        agent,
        decisionId: outcome.decisionId,
        sessionId,
        tool,
        output,
        // The decision's redact and withhold obligations apply to this door as to every other.
        ...(obligations && { obligations }),
      });
      if ('error' in inspected) throw new Error(inspected.error);
      return { output: inspected.output, withheld: inspected.inspection.withheld };
    });
  };
}

function remoteDecider(options: RemoteGuardOptions, sessionId: string): Decider {
  const base = options.server.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const renewing =
    'clientId' in options ? agentTokenSource(base, options, { fetch: doFetch, timeoutMs }) : undefined;
  const token = async () =>
    renewing
      ? renewing()
      : 'token' in options && typeof options.token === 'function'
        ? options.token()
        : (options as { token: string }).token;
  const approvalWaitMs = options.approvalWaitMs ?? 30_000;
  const send = async (method: 'GET' | 'POST', path: string, body?: unknown, extraMs = 0) => {
    const request = async () =>
      doFetch(`${base}${path}`, {
        method,
        headers: {
          ...(body !== undefined && { 'content-type': 'application/json' }),
          authorization: `Bearer ${await token()}`,
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs + extraMs),
      });
    let response = await request();
    if (response.status === 401 && renewing) {
      // A token the server no longer takes (its signing key retired, the agent's tokens voided
      // and the agent resumed): one fresh token, one retry. A second 401 is the answer.
      renewing.invalidate();
      await response.body?.cancel();
      response = await request();
    }
    const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: response.status, payload };
  };
  const post = (path: string, body: unknown) => send('POST', path, body);

  /** Long-polls the approval until it is decided or the wait is over; its status then. */
  const awaitApproval = async (id: string): Promise<string> => {
    const deadline = Date.now() + approvalWaitMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return 'pending';
      const chunk = Math.min(left, 55_000);
      const { status, payload } = await send(
        'GET',
        `/v1/approvals/${encodeURIComponent(id)}?wait=${chunk}ms`,
        undefined,
        chunk,
      );
      if (status !== 200) return 'unavailable';
      if (payload.status !== 'pending') return String(payload.status);
    }
  };

  const evaluate: Decider = async (tool, args, callOptions, supplied) => {
    const { status, payload } = await post('/access/v1/evaluation', {
      action: { name: 'tools/call' },
      resource: { type: 'tool', id: tool },
      context: {
        ...callOptions.context,
        args,
        session_id: sessionId,
        ...(supplied.userInput && { user_input: supplied.userInput }),
        ...(supplied.endorsed && { endorse: supplied.endorsed }),
        ...(callOptions.reasoning !== undefined && { reasoning: callOptions.reasoning }),
      },
    });
    if (status !== 200) {
      const why = typeof payload.message === 'string' ? payload.message : `HTTP ${status}`;
      return {
        status: 'denied',
        code: typeof payload.error === 'string' ? payload.error : 'decision-unavailable',
        reason: why,
      };
    }
    const context = (payload.context ?? {}) as {
      decision_id?: string;
      code?: string;
      reasons?: string[];
      approval?: { id?: string; expires_at?: string };
    };
    const reason = context.reasons?.[0] ?? 'denied by policy';
    if (payload.decision === true) {
      const decisionId = context.decision_id ?? '';
      return {
        status: 'allowed',
        decisionId,
        sessionId,
        report: async (output) => {
          const { status, payload } = await post(`/v1/decisions/${encodeURIComponent(decisionId)}/outcome`, {
            output: toJson(output),
            status: 'succeeded',
          });
          if (status !== 200) throw new Error(`the output could not be reported (HTTP ${status})`);
          // The server says what the model may see; a reply that does not say is not trusted.
          if (!('output' in payload)) throw new Error('the server did not return the inspected output');
          return { output: payload.output, withheld: payload.withheld === true };
        },
      };
    }
    if (context.code === 'approval-required') {
      return {
        status: 'approval-required',
        reason,
        ...(context.decision_id !== undefined && { decisionId: context.decision_id }),
        approval: {
          ...(context.approval?.id !== undefined && { id: context.approval.id }),
          ...(context.approval?.expires_at !== undefined && { expiresAt: context.approval.expires_at }),
        },
      };
    }
    return {
      status: 'denied',
      code: context.code ?? 'denied',
      reason,
      ...(context.decision_id !== undefined && { decisionId: context.decision_id }),
    };
  };

  return async (tool, args, callOptions, supplied) => {
    const verdict = await evaluate(tool, args, callOptions, supplied);
    const id = verdict.status === 'approval-required' ? verdict.approval?.id : undefined;
    if (id === undefined || approvalWaitMs <= 0) return verdict;
    const status = await awaitApproval(id);
    if (status === 'pending') return verdict;
    if (status === 'approved') {
      // The same call again: the server matches the approval by its exact arguments and spends it.
      return evaluate(tool, args, callOptions, {});
    }
    return {
      status: 'denied',
      code: status === 'unavailable' ? 'approval-unavailable' : `approval-${status}`,
      reason:
        status === 'unavailable'
          ? `approval ${id} could not be read; the call was not made`
          : `approval ${id} ended ${status}; the call was not made`,
      ...(verdict.decisionId !== undefined && { decisionId: verdict.decisionId }),
    };
  };
}

function verdictOf(
  outcome: PathOutcome,
  report: (output: unknown) => Promise<InspectedOutput>,
): GuardVerdict {
  switch (outcome.status) {
    case 'allowed':
    case 'executed':
      return { status: 'allowed', decisionId: outcome.decisionId, sessionId: outcome.sessionId, report };
    case 'approval-required':
      return {
        status: 'approval-required',
        reason: outcome.decision.reasons[0] ?? 'a human must approve this call',
        decisionId: outcome.decisionId,
        ...(outcome.approval && {
          approval: { id: outcome.approval.id, expiresAt: outcome.approval.expiresAt.toISOString() },
        }),
      };
    case 'denied':
      return {
        status: 'denied',
        code: outcome.code === 'policy' ? (outcome.decision?.code ?? 'policy') : outcome.code,
        reason: outcome.code === 'policy' ? (outcome.decision?.reasons[0] ?? outcome.reason) : outcome.reason,
        decisionId: outcome.decisionId,
      };
    case 'failed':
      return { status: 'denied', code: 'failed', reason: outcome.error, decisionId: outcome.decisionId };
  }
}

/** What inspection made of an output: what the model may see, and whether the policy withholds it. */
export interface InspectedOutput {
  readonly output: unknown;
  readonly withheld: boolean;
}

/** What the model gets when the policy withholds a tool's output (`withhold:` on a rule). */
export const OUTPUT_POLICY_WITHHELD: GuardRefusal = {
  gatehouse: 'denied',
  code: 'output-withheld',
  message:
    'The tool ran, but its output is withheld by policy (it carries data this agent may not see). Do not retry the call unchanged.',
};

/**
 * What the model gets when a tool ran but its output could not be inspected (the report to
 * Gatehouse failed): an uninspected output would carry untrusted content with no label.
 */
export const OUTPUT_WITHHELD: GuardRefusal = {
  gatehouse: 'denied',
  code: 'output-not-inspected',
  message:
    'The tool ran, but Gatehouse could not inspect its output, so the output is withheld. Do not retry the call unchanged.',
};

/** The model-readable result of a refused call. */
export function refusalOf(verdict: Exclude<GuardVerdict, { status: 'allowed' }>): GuardRefusal {
  if (verdict.status === 'approval-required') {
    const id = verdict.approval?.id;
    return {
      gatehouse: 'approval-required',
      code: 'approval-required',
      message: `This call needs a human's approval and was not made: ${verdict.reason}.${id ? ` Approval ${id} is pending; retry the same call with the same arguments once it is approved.` : ''}`,
      ...(verdict.decisionId !== undefined && { decision_id: verdict.decisionId }),
      ...(id !== undefined && { approval_id: id }),
    };
  }
  return {
    gatehouse: 'denied',
    code: verdict.code,
    message: `Gatehouse refused this call and it was not made: ${verdict.reason}. Do not retry it unchanged.`,
    ...(verdict.decisionId !== undefined && { decision_id: verdict.decisionId }),
  };
}

/** True when a tool result is a Gatehouse refusal. */
export function isRefusal(value: unknown): value is GuardRefusal {
  return value !== null && typeof value === 'object' && 'gatehouse' in value && 'message' in value;
}

function isCompiled(policy: LocalGuardOptions['policy']): policy is CompiledPolicy {
  return typeof policy === 'object' && 'hash' in policy && 'rules' in policy;
}

/** Outputs reported to the server must be JSON; anything else is sent as text. */
function toJson(output: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(output ?? null));
  } catch {
    return String(output);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
