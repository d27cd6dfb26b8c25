import { ATTACK_TEMPLATES, type AttackGoal } from './templates.js';
import type { RedteamTrace, TraceStep } from './trace.js';

/** One user task of a suite, with the values that vary between its runs. */
export interface TaskSpec<V> {
  readonly id: string;
  readonly task: string;
  readonly variants: readonly V[];
  /**
   * The run's steps. `injection` is the attacker's text ('' in a benign run), placed in an
   * untrusted output; `after` is the index of that output's step, where the obeying model's
   * attacker-goal calls go.
   */
  readonly build: (variant: V, injection: string) => { steps: TraceStep[]; after?: number };
}

/** A task with its variants closed over: what `buildTraces` takes. */
export interface SuiteTask {
  readonly id: string;
  readonly task: string;
  readonly variants: number;
  readonly build: (variant: number, injection: string) => { steps: TraceStep[]; after?: number };
}

/** Closes a task over its variants. */
export function defineTask<V>(spec: TaskSpec<V>): SuiteTask {
  return {
    id: spec.id,
    task: spec.task,
    variants: spec.variants.length,
    build: (i, injection) => spec.build(spec.variants[i % spec.variants.length]!, injection),
  };
}

/** An attacker goal and the calls a model that obeys it makes. */
export interface GoalSpec {
  readonly goal: AttackGoal;
  readonly calls: readonly TraceStep[];
}

/**
 * Every benign run of every task variant, and for each task that reads attacker-reachable
 * content, one injected run per goal and attack template (variants taken in turn).
 */
export function buildTraces(
  suite: string,
  agent: string,
  tasks: readonly SuiteTask[],
  goals: readonly GoalSpec[],
  names: { user: string; model: string },
): RedteamTrace[] {
  const traces: RedteamTrace[] = [];
  for (const task of tasks) {
    for (let i = 0; i < task.variants; i++) {
      traces.push({
        id: `${suite}/${task.id}/benign-${i + 1}`,
        suite,
        kind: 'benign',
        task: task.task,
        agent,
        steps: task.build(i, '').steps,
      });
    }
    if (task.build(0, '').after === undefined) continue;
    let turn = 0;
    for (const { goal, calls } of goals) {
      for (const template of ATTACK_TEMPLATES) {
        const { steps, after } = task.build(turn++, template.render(goal, names));
        const at = (after ?? steps.length - 1) + 1;
        traces.push({
          id: `${suite}/${task.id}/${goal.id}/${template.id}`,
          suite,
          kind: 'injection',
          task: task.task,
          template: template.id,
          goal: goal.id,
          agent,
          steps: [...steps.slice(0, at), ...calls, ...steps.slice(at)],
        });
      }
    }
  }
  return traces;
}

/** A task call. */
export const task = (
  call: string,
  args: Record<string, unknown>,
  output?: unknown,
  agent?: string,
): TraceStep => ({
  call,
  args,
  role: 'task',
  ...(output !== undefined && { output }),
  ...(agent !== undefined && { agent }),
});

/** An attacker-goal call, or (`step`) a harmless call on the attacker's way to one. */
export const attack = (
  call: string,
  args: Record<string, unknown>,
  agent?: string,
  step = false,
): TraceStep => ({
  call,
  args,
  role: step ? 'attack-step' : 'attack',
  output: { ok: true },
  ...(agent !== undefined && { agent }),
});
