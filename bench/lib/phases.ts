import { performance } from 'node:perf_hooks';
import { round } from './rng.js';

/**
 * Busy time per phase, summed over concurrent work (20 account sweeps in flight add up to 20 times
 * the wall time): where an organization sweep's time goes, not how long it took.
 */
export class PhaseTimer {
  private readonly busyMs = new Map<string, number>();
  private readonly count = new Map<string, number>();

  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.busyMs.set(phase, (this.busyMs.get(phase) ?? 0) + performance.now() - t0);
      this.count.set(phase, (this.count.get(phase) ?? 0) + 1);
    }
  }

  /** The same object with the named async methods timed as `prefix.method`. */
  wrap<T extends object>(prefix: string, target: T, methods: readonly (keyof T & string)[]): T {
    const wrapped = Object.create(target) as T;
    for (const m of methods) {
      const fn = target[m] as unknown as (...a: unknown[]) => Promise<unknown>;
      (wrapped as Record<string, unknown>)[m] = (...args: unknown[]) =>
        this.time(`${prefix}.${m}`, () => fn.apply(target, args));
    }
    return wrapped;
  }

  reset(): void {
    this.busyMs.clear();
    this.count.clear();
  }

  /** Phase → { calls, busy seconds, share of the busy time of `total` }. */
  summary(total: string): Record<string, { calls: number; busySeconds: number; share: number }> {
    const all = this.busyMs.get(total) ?? 0;
    return Object.fromEntries(
      [...this.busyMs].map(([phase, ms]) => [
        phase,
        {
          calls: this.count.get(phase) ?? 0,
          busySeconds: round(ms / 1000, 1),
          share: all > 0 ? round(ms / all, 3) : 0,
        },
      ]),
    );
  }
}
