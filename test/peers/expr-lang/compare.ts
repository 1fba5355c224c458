// One expression on a set of instances, evaluated by Ferry (as `ferry query` does: compile with
// the default limits, then each instance's expression view) and by the expr-lang peer, and the
// two outcomes compared instance by instance.

import { compileExpression, expressionView } from '../../../src/expr/index.js';
import { normalizeInstance, type InstanceDocument } from '../../../src/model/instance.js';
import type { PeerResult } from './peer-env.js';

/** An outcome reduced to what a batch sees: selected, not selected, or failed. */
export type Verdict = 'true' | 'false' | 'error';

export interface FerryOutcome {
  verdict: Verdict;
  phase?: 'compile' | 'run';
  code?: string;
  message?: string;
}

export interface FerryCompilation {
  source: string;
  /** The compile errors, or the outcome on each instance. */
  outcomes: FerryOutcome[];
  /** Warnings and notes the compiler attached to the expression. */
  warnings: readonly { code: string; message: string }[];
}

export function evaluateWithFerry(source: string, instances: readonly InstanceDocument[]): FerryCompilation {
  const compiled = compileExpression(source);
  if (!compiled.ok) {
    const [error] = compiled.errors;
    const outcome: FerryOutcome = { verdict: 'error', phase: 'compile', code: error?.code, message: error?.message };
    return { source, outcomes: instances.map(() => outcome), warnings: [] };
  }
  const outcomes = instances.map((instance): FerryOutcome => {
    const result = compiled.expression.matches(expressionView(normalizeInstance(instance)));
    if (result.ok) return { verdict: result.value ? 'true' : 'false' };
    return { verdict: 'error', phase: 'run', code: result.error.code, message: result.error.message };
  });
  return { source, outcomes, warnings: compiled.warnings };
}

export function peerVerdict(result: PeerResult): Verdict {
  if (!result.ok) return 'error';
  return result.value ? 'true' : 'false';
}

/** One expression on one instance where the two verdicts differ. */
export interface Disagreement {
  source: string;
  instance: InstanceDocument;
  ferry: FerryOutcome;
  reference: PeerResult;
  warnings: readonly { code: string; message: string }[];
}

export function disagreements(ferry: FerryCompilation, reference: readonly PeerResult[], instances: readonly InstanceDocument[]): Disagreement[] {
  const found: Disagreement[] = [];
  ferry.outcomes.forEach((outcome, i) => {
    const peer = reference[i]!;
    if (outcome.verdict !== peerVerdict(peer)) {
      found.push({ source: ferry.source, instance: instances[i]!, ferry: outcome, reference: peer, warnings: ferry.warnings });
    }
  });
  return found;
}

export function describe(disagreement: Disagreement): string {
  const { source, instance, ferry, reference } = disagreement;
  const peer = reference.ok ? String(reference.value) : `${reference.phase} error: ${reference.error.split('\n')[0]}`;
  const ours = ferry.verdict === 'error' ? `${ferry.phase} error ${ferry.code}: ${ferry.message}` : ferry.verdict;
  return `${source}\n    on ${instance.name} (${instance.uuid})\n    migration-manager: ${peer}\n    Ferry:             ${ours}`;
}
