import type { AlertSink } from '../../lambdas/core/store.js';
import type { Transition } from '../../lambdas/core/transitions.js';

/** Counts what it is sent, per finding id and kind; `fail` decides per call whether delivery fails. */
export class CountingSink implements AlertSink {
  readonly perFinding = new Map<string, number>();
  readonly perFindingKind = new Map<string, number>();
  calls = 0;
  failures = 0;
  sent = 0;
  /** Every transition delivered, in order. */
  readonly delivered: Transition[] = [];
  constructor(private readonly fail: (call: number) => boolean = () => false) {}

  async send(transitions: Transition[]): Promise<void> {
    this.calls++;
    if (this.fail(this.calls)) {
      this.failures++;
      throw new Error('SNS unavailable (injected)');
    }
    for (const t of transitions) {
      this.sent++;
      this.delivered.push(t);
      this.perFinding.set(t.finding.id, (this.perFinding.get(t.finding.id) ?? 0) + 1);
      const key = `${t.finding.id} ${t.kind}`;
      this.perFindingKind.set(key, (this.perFindingKind.get(key) ?? 0) + 1);
    }
  }

  /** Keys (finding id + kind) delivered more than once. */
  duplicates(): string[] {
    return [...this.perFindingKind].filter(([, n]) => n > 1).map(([k]) => k);
  }
}

/** A logger that drops everything (the handlers log per event; the bench measures, not prints). */
export { Logger } from '@aws-lambda-powertools/logger';
