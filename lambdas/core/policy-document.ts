import { PolicyParseError } from './errors.js';
import { isJsonObject } from './json-object.js';

export type Effect = 'Allow' | 'Deny';
/** Condition block: operator → key → values (always normalised to arrays of strings). */
export type ConditionBlock = Record<string, Record<string, string[]>>;

/** A statement with every multi-form field normalised (strings → arrays). */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: Effect;
  /** Principal map: "*" becomes { AWS: ["*"] } as IAM treats them alike. Undefined for identity policies. */
  readonly principal?: Readonly<Record<string, string[]>>;
  readonly notPrincipal?: Readonly<Record<string, string[]>>;
  readonly action: readonly string[];
  readonly notAction: readonly string[];
  readonly resource: readonly string[];
  readonly notResource: readonly string[];
  readonly condition: Readonly<ConditionBlock>;
  /** The statement as written, for showing in findings. */
  readonly raw: unknown;
}

export interface PolicyDocument {
  readonly version?: string;
  readonly statements: readonly PolicyStatement[];
}

const MAX_POLICY_CHARS = 1_000_000;

/** Turns text that is JSON or URL-encoded JSON (as IAM read APIs return it) into a value. */
export function decodePolicyText(text: string): unknown {
  if (text.length > MAX_POLICY_CHARS)
    throw new PolicyParseError(`policy document is too large (${text.length} characters)`);
  const trimmed = text.trim();
  if (trimmed === '') throw new PolicyParseError('policy document is empty');
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch (error) {
      throw new PolicyParseError(`policy document is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (/^%7B/i.test(trimmed)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(trimmed.replace(/\+/g, '%20'));
    } catch (error) {
      throw new PolicyParseError('policy document is not valid URL-encoded text', { cause: error });
    }
    return decodePolicyText(decoded);
  }
  throw new PolicyParseError('policy document is neither JSON nor URL-encoded JSON');
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      throw new PolicyParseError(`${where}[${i}] must be a string`);
    });
  }
  throw new PolicyParseError(`${where} must be a string or a list of strings`);
}

function principalMap(value: unknown, where: string): Record<string, string[]> | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return { AWS: ['*'] };
  if (!isJsonObject(value)) throw new PolicyParseError(`${where} must be "*" or an object`);
  const out: Record<string, string[]> = {};
  for (const [kind, ids] of Object.entries(value)) out[kind] = stringList(ids, `${where}.${kind}`);
  return out;
}

function conditionBlock(value: unknown, where: string): ConditionBlock {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw new PolicyParseError(`${where} must be an object`);
  const out: ConditionBlock = {};
  for (const [operator, entries] of Object.entries(value)) {
    if (!isJsonObject(entries))
      throw new PolicyParseError(`${where}.${operator} must be an object of condition keys`);
    const keys: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(entries))
      keys[key] = stringList(values, `${where}.${operator}.${key}`);
    out[operator] = keys;
  }
  return out;
}

function statementOf(raw: unknown, index: number): PolicyStatement {
  const where = `Statement[${index}]`;
  if (!isJsonObject(raw)) throw new PolicyParseError(`${where} must be an object`);
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny')
    throw new PolicyParseError(`${where}.Effect must be "Allow" or "Deny"`);
  const principal = principalMap(raw.Principal, `${where}.Principal`);
  const notPrincipal = principalMap(raw.NotPrincipal, `${where}.NotPrincipal`);
  return {
    ...(typeof raw.Sid === 'string' ? { sid: raw.Sid } : {}),
    effect,
    ...(principal ? { principal } : {}),
    ...(notPrincipal ? { notPrincipal } : {}),
    action: stringList(raw.Action, `${where}.Action`),
    notAction: stringList(raw.NotAction, `${where}.NotAction`),
    resource: stringList(raw.Resource, `${where}.Resource`),
    notResource: stringList(raw.NotResource, `${where}.NotResource`),
    condition: conditionBlock(raw.Condition, `${where}.Condition`),
    raw,
  };
}

/**
 * Normalises a policy document given as an object, JSON text or URL-encoded JSON text.
 * Throws PolicyParseError naming what is wrong; never returns a partial document.
 */
export function parsePolicyDocument(input: unknown): PolicyDocument {
  const value = typeof input === 'string' ? decodePolicyText(input) : input;
  if (!isJsonObject(value)) throw new PolicyParseError('policy document must be a JSON object');
  const statement = value.Statement;
  if (statement === undefined) throw new PolicyParseError('policy document has no Statement');
  const list = Array.isArray(statement) ? statement : [statement];
  return {
    ...(typeof value.Version === 'string' ? { version: value.Version } : {}),
    statements: list.map(statementOf),
  };
}

/** True when an IAM action pattern (with * and ? wildcards, case-insensitive) matches the action. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(action);
}

/** True when the statement applies to `action` (Action matches, or NotAction does not). */
export function statementCoversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.action.length > 0) return statement.action.some((p) => actionMatches(p, action));
  if (statement.notAction.length > 0) return !statement.notAction.some((p) => actionMatches(p, action));
  return false;
}
