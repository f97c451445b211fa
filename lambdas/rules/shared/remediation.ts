/**
 * A rule's remediation with its placeholders (NAME, TRAIL, AKIA...) replaced by the real names of
 * one verdict, so the command in an alert can be run as written. A value is only put in when it is
 * a plain IAM/CloudTrail identifier: anything that could change the meaning of a shell command
 * keeps the placeholder.
 */
export interface RemediationNames {
  /** IAM user or role name (NAME). */
  readonly name?: string;
  /** CloudTrail trail name (TRAIL). */
  readonly trail?: string;
  /** Access key id (AKIA...). */
  readonly accessKeyId?: string;
}

// IAM names: [\w+=,.@-]; trail names: letters, digits, . _ -; key ids: A-Z0-9.
const PLAIN = /^[\w+=,.@-]{1,128}$/;

function plain(value: string | undefined): string | undefined {
  return value !== undefined && PLAIN.test(value) ? value : undefined;
}

export function concreteRemediation(template: string, names: RemediationNames): string {
  let out = template;
  const name = plain(names.name);
  const trail = plain(names.trail);
  const key = plain(names.accessKeyId);
  if (name) out = out.replace(/\bNAME\b/g, name);
  if (trail) out = out.replace(/\bTRAIL\b/g, trail);
  if (key) out = out.replace(/\bAKIA\.\.\.(?!\w)/g, key);
  return out;
}
