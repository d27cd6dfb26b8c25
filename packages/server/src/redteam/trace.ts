/**
 * A red-team trace: one recorded agent run, replayed call by call through the enforcement
 * path. The runs are written after the public task families of AgentDojo (banking,
 * messaging, workspace, travel) plus a multi-agent suite; an injection trace is a benign run
 * whose untrusted tool output carries an attack, recorded from a model that obeys it — the
 * worst case — so every attacker-goal call reaches Gatehouse and only the policy stands
 * between it and the world.
 */

/**
 * Why a call is in the trace: the user's task, the attacker's goal (a call that does the
 * harm: moves money, sends data out, changes access), or a step on the attacker's way that
 * does no harm by itself (reading the profile it then tries to send out).
 */
export type CallRole = 'task' | 'attack' | 'attack-step';

/** One step of a run. */
export type TraceStep =
  /** The user's words for this run (the prompt, form fields): handed to the path as `userInput`. */
  | { readonly user: unknown }
  /** What the application (not the model) endorses as the user's choice: `endorsed`. */
  | { readonly endorse: unknown }
  /** A tool call and what the tool returned when it ran. */
  | {
      readonly call: string;
      readonly args: Readonly<Record<string, unknown>>;
      readonly output?: unknown;
      readonly role: CallRole;
      /** The agent making the call, in a multi-agent run (default: the trace's agent). */
      readonly agent?: string;
    };

/** A recorded run. */
export interface RedteamTrace {
  readonly id: string;
  readonly suite: string;
  readonly kind: 'benign' | 'injection';
  /** The user task, in a few words. */
  readonly task: string;
  /** The attack template that shaped the injection (injection traces only). */
  readonly template?: string;
  /** What the attacker wanted, in a few words (injection traces only). */
  readonly goal?: string;
  /** The agent the run belongs to, by its name in the suite's policy. */
  readonly agent: string;
  readonly steps: readonly TraceStep[];
}

/** A suite: its traces and the policy a user would write for it with the README. */
export interface RedteamSuite {
  readonly name: string;
  readonly description: string;
  /** File name of the suite's policy under `packages/server/redteam/`. */
  readonly policyFile: string;
  readonly traces: readonly RedteamTrace[];
}
