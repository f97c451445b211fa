/** A plain JSON object (not null, not an array): how loosely typed AWS records are probed. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
