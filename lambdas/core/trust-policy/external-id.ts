/** Which sts:ExternalId values STS can receive at all. */

/**
 * STS accepts an ExternalId of 2 to 1,224 characters from [\w+=,.@:/-] (AssumeRole API reference,
 * ExternalId: "Length Constraints: Minimum length of 2. Maximum length of 1224. Pattern:
 * [\w+=,.@:\/-]*"). Unicode letters and digits are let through: whether \w admits them is not
 * documented, and erring towards "receivable" never hides an exposure.
 */
const EXTERNAL_ID_CHAR = /^[\p{L}\p{M}\p{N}\p{Pc}+=,.@:/-]$/u;
const EXTERNAL_ID_MIN = 2;
const EXTERNAL_ID_MAX = 1224;

/** Why STS can never receive a value matching `value`, or undefined when it may. */
export function unreceivableExternalId(value: string, glob: boolean): string | undefined {
  // A policy variable (${aws:username}, ${*}) is substituted at evaluation time: unknowable here.
  if (value.includes('${')) return undefined;
  const chars = [...value];
  const literal = glob ? chars.filter((c) => c !== '*' && c !== '?') : chars;
  const bad = literal.find((c) => !EXTERNAL_ID_CHAR.test(c));
  if (bad !== undefined)
    return `${JSON.stringify(value)} holds ${JSON.stringify(bad)}, which an ExternalId cannot contain`;
  const min = glob ? chars.filter((c) => c !== '*').length : chars.length;
  const unbounded = glob && chars.includes('*');
  if (min > EXTERNAL_ID_MAX)
    return `${JSON.stringify(value.slice(0, 20))}… is longer than ${EXTERNAL_ID_MAX} characters`;
  if (!unbounded && min < EXTERNAL_ID_MIN)
    return `${JSON.stringify(value)} is shorter than ${EXTERNAL_ID_MIN} characters`;
  return undefined;
}

/** True when STS may receive `value` (a literal) as an sts:ExternalId. */
export function isReceivableExternalId(value: string): boolean {
  return unreceivableExternalId(value, false) === undefined;
}
