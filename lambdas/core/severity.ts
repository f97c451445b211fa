/** Severity scale, most severe first. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1, INFO: 0 };

export function severityRank(severity: Severity): number {
  return RANK[severity];
}

/** True when `severity` is at least as severe as `minimum`. */
export function atLeast(severity: Severity, minimum: Severity): boolean {
  return RANK[severity] >= RANK[minimum];
}

export function mostSevere(severities: readonly Severity[]): Severity | undefined {
  let best: Severity | undefined;
  for (const s of severities) if (best === undefined || RANK[s] > RANK[best]) best = s;
  return best;
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Compare for sorting: most severe first. */
export function bySeverityDesc(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a];
}
