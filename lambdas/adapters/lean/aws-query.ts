import { parseXML } from '@aws-sdk/xml-builder';
import { outputMetadata, type AwsHttpClient, type ErrorParser, type HttpAnswer } from './http.js';

/**
 * The awsQuery protocol (IAM, STS) as the SDK v3 speaks it, for the lean clients: the form body of
 * a request, the XML answer read into the SDK's output shape, and the SDK's error for an
 * `<ErrorResponse>`. Each function mirrors one piece of the SDK, named where it stands, so the two
 * can be read side by side (paths under node_modules):
 * - the request: @aws-sdk/core/dist-es/submodules/protocols/query/{AwsQueryProtocol,QueryShapeSerializer}.js
 * - the answer: @aws-sdk/core/dist-es/submodules/protocols/xml/XmlShapeDeserializer.js on
 *   @aws-sdk/xml-builder's parseXML (the same parser, 3 KB), scalars as
 *   @smithy/core/dist-es/submodules/protocols/serde/FromStringShapeDeserializer.js reads them
 * - errors: AwsQueryProtocol.handleError and ProtocolLib (@aws-sdk/core) with decorateServiceException
 *   (@smithy/core/dist-es/submodules/client/smithy-client/exceptions.js)
 * The shapes come from the service's schema (@aws-sdk/client-<service>/dist-es/schemas): a table
 * per client, which test/lean-*.test.ts derives again from the SDK's schema and compares.
 */

/** A member's type, as the SDK schema has it (awsQuery timestamps are RFC 3339 date-times). */
export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'timestamp'
  | 'blob'
  | { readonly list: Shape }
  | { readonly map: Shape }
  | { readonly struct: Readonly<Record<string, Shape>> };

export const list = (member: Shape): Shape => ({ list: member });
/** A map with string keys (`<entry><key/><value/></entry>`). */
export const map = (value: Shape): Shape => ({ map: value });
export const struct = (
  members: Readonly<Record<string, Shape>>,
): { readonly struct: Record<string, Shape> } => ({
  struct: members,
});

/** encodeURIComponent plus `!'()*`, as @smithy/core's extendedEncodeURIComponent. */
export function queryEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** QueryShapeSerializer.write for the input shapes the lean clients send: scalars, lists, structs. */
function writeForm(out: string[], shape: Shape, value: unknown, key: string): void {
  if (typeof shape === 'object' && 'struct' in shape) {
    if (!value || typeof value !== 'object') return;
    for (const [name, member] of Object.entries(shape.struct)) {
      const v = (value as Record<string, unknown>)[name];
      if (v !== undefined && v !== null) writeForm(out, member, v, key ? `${key}.${name}` : name);
    }
  } else if (typeof shape === 'object' && 'list' in shape) {
    if (!Array.isArray(value)) return;
    // The SDK sends an empty list as `Key=` (serializeEmptyLists) and skips null items.
    if (value.length === 0) out.push(`&${queryEncode(key)}=`);
    let i = 1;
    for (const item of value as unknown[])
      if (item !== undefined && item !== null) writeForm(out, shape.list, item, `${key}.member.${i++}`);
  } else if (shape === 'string' || shape === 'number' || shape === 'boolean') {
    out.push(`&${queryEncode(key)}=${queryEncode(String(value))}`);
  } else {
    throw new Error(`lean awsQuery: input member ${key} of type ${JSON.stringify(shape)} is not supported`);
  }
}

/** The form body: `Action=<Op>&Version=<v>` and the input's members in schema order. */
export function queryBody(action: string, version: string, input: Shape | undefined, value: unknown): string {
  const out: string[] = [];
  if (input) writeForm(out, input, value, '');
  return `Action=${action}&Version=${version}${out.join('')}`;
}

type XmlValue = string | XmlObject | XmlValue[];
interface XmlObject {
  [key: string]: XmlValue;
}

/** @smithy/core's getValueFromTextNode: an element with text and children becomes its text. */
function foldTextNodes(obj: XmlValue): XmlValue {
  for (const key in obj as object) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const o = obj as XmlObject;
    const child = o[key]!;
    const text = (child as XmlObject)['#text'];
    if (text !== undefined) o[key] = text;
    else if (typeof child === 'object' && child !== null) o[key] = foldTextNodes(child);
  }
  return obj;
}

/** XmlShapeDeserializer.parseXml: the root element's value, text nodes folded. */
export function parseQueryXml(xml: string): XmlValue {
  if (!xml.length) return {};
  const parsed = parseXML(xml) as XmlObject;
  const key = Object.keys(parsed)[0]!;
  const root = parsed[key]!;
  const text = (root as XmlObject)['#text'];
  if (text) {
    (root as XmlObject)[key] = text;
    delete (root as XmlObject)['#text'];
  }
  return foldTextNodes(root);
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[tT](\d\d):(\d\d):(\d\d)(\.(\d+))?(([-+]\d\d:\d\d)|[zZ])$/;

function inRange(v: string, min: number, max: number): void {
  const n = Number(v);
  if (n < min || n > max) throw new Error(`Value ${n} out of range [${min}, ${max}]`);
}

/** @smithy/core's _parseRfc3339DateTimeWithOffset: the awsQuery timestamp format, strictly. */
export function parseRfc3339(value: string): Date {
  const m = RFC3339.exec(value);
  if (!m) throw new TypeError(`Invalid RFC3339 timestamp format ${value}`);
  const [, year, month, day, hours, minutes, seconds, , ms, offset] = m as unknown as string[];
  inRange(month!, 1, 12);
  inRange(day!, 1, 31);
  inRange(hours!, 0, 23);
  inRange(minutes!, 0, 59);
  inRange(seconds!, 0, 60);
  const date = new Date(
    Date.UTC(
      Number(year),
      Number(month) - 1,
      Number(day),
      Number(hours),
      Number(minutes),
      Number(seconds),
      Number(ms) ? Math.round(parseFloat(`0.${ms}`) * 1000) : 0,
    ),
  );
  date.setUTCFullYear(Number(year));
  if (offset!.toUpperCase() !== 'Z') {
    const [, sign, h, mm] = /([+-])(\d\d):(\d\d)/.exec(offset!) ?? [undefined, '+', '0', '0'];
    const scalar = sign === '-' ? 1 : -1;
    date.setTime(date.getTime() + scalar * (Number(h) * 3_600_000 + Number(mm) * 60_000));
  }
  return date;
}

/** @smithy/core's fromBase64: strict, and a Uint8Array view of the decoded bytes. */
export function fromBase64(input: string): Uint8Array {
  if ((input.length * 3) % 4 !== 0) throw new TypeError('Incorrect padding on base64 string.');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input)) throw new TypeError('Invalid base64 string.');
  const buffer = Buffer.from(input, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** FromStringShapeDeserializer.read for the scalar types. */
function readScalar(shape: Shape, text: string): unknown {
  if (shape === 'string') return text;
  if (shape === 'number') return Number(text);
  if (shape === 'boolean') return text.toLowerCase() === 'true';
  if (shape === 'timestamp') return parseRfc3339(text);
  if (shape === 'blob') return fromBase64(text);
  throw new Error(`lean awsQuery: no scalar reader for ${JSON.stringify(shape)}`);
}

/** A `__proto__` key set as data, never as the prototype (the SDK's writeKey). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** XmlShapeDeserializer.readSchema, branch for branch, on a parsed XML value. */
export function readShape(shape: Shape, value: unknown): unknown {
  if (typeof shape === 'object' && 'list' in shape && !Array.isArray(value)) return readShape(shape, [value]);
  if (value === undefined || value === null) return value;
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof shape === 'object' && 'list' in shape) {
      const source = ((v as unknown as unknown[])[0] ?? v) as Record<string, unknown>;
      const members = (source as Record<string, unknown>).member;
      if (members === undefined || members === null) return [];
      return (Array.isArray(members) ? members : [members]).map((m) => readShape(shape.list, m));
    }
    if (typeof shape === 'object' && 'map' in shape) {
      const out: Record<string, unknown> = {};
      const entries = (Array.isArray(v.entry) ? v.entry : [v.entry]) as Record<string, unknown>[];
      for (const entry of entries) put(out, entry.key as string, readShape(shape.map, entry.value));
      return out;
    }
    if (typeof shape === 'object' && 'struct' in shape) {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.struct))
        if (v[name] !== undefined && v[name] !== null) out[name] = readShape(member, v[name]);
      return out;
    }
    throw new Error(`@aws-sdk/core/protocols - xml deserializer unhandled schema type for ${String(shape)}`);
  }
  if (typeof shape === 'object' && 'list' in shape) return [];
  if (typeof shape === 'object') return {};
  return readScalar(shape, value as string);
}

/** An operation's output from its 2xx answer: `<OpResponse><OpResult>…`, shaped; `$metadata` is the caller's. */
export function readQueryResult(
  answer: HttpAnswer,
  operation: string,
  output: Shape,
): Record<string, unknown> {
  if (!answer.body.length) return {};
  const root = parseQueryXml(answer.body) as Record<string, unknown>;
  return (readShape(output, root[`${operation}Result`]) as Record<string, unknown> | undefined) ?? {};
}

/** An operation: its name, its input's members (absent: none) and its output. */
export interface QueryOperation {
  readonly name: string;
  readonly input?: Shape;
  readonly output: Shape;
}

/** One awsQuery call: POST / with the form body; the output shaped, with the SDK's `$metadata`. */
export async function awsQueryCall(
  client: AwsHttpClient,
  version: string,
  operation: QueryOperation,
  input: unknown,
): Promise<Record<string, unknown>> {
  const answer = await client.send({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: queryBody(operation.name, version, operation.input, input),
  });
  return { ...readQueryResult(answer, operation.name, operation.output), $metadata: outputMetadata(answer) };
}

/** A service's modeled errors: the awsQuery wire code (`NoSuchEntity`) → the SDK's error name (`NoSuchEntityException`). */
export type ModeledErrors = Readonly<Record<string, string>>;

/**
 * The SDK's error for an awsQuery error answer (AwsQueryProtocol.handleError): the name of the
 * modeled error whose wire code (or shape name) matches, else the code itself; the message, or
 * `Unknown` when absent and `UnknownError` when empty; `Type`, `Code` and `Error` as the SDK sets
 * them. A modeled error also carries the answer's top-level fields (`RequestId`, `xmlns`), an
 * unmodeled one every field of `<Error>`, as decorateServiceException copies them.
 */
export function awsQueryErrorParser(modeled: ModeledErrors): ErrorParser {
  const names = new Set(Object.values(modeled));
  return (answer) => {
    let data: Record<string, unknown> = {};
    try {
      const parsed = parseQueryXml(answer.body);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed;
    } catch {
      // Not XML (a proxy's page): the status code speaks, as the core does for any protocol.
      return { code: '', message: '' };
    }
    const errors = data.Errors as Record<string, unknown> | Record<string, unknown>[] | undefined;
    const raw = (Array.isArray(errors) ? errors[0]?.Error : errors?.Error) ?? data.Error;
    const error = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const wireCode =
      typeof error.Code === 'string' ? error.Code : answer.statusCode === 404 ? 'NotFound' : 'Unknown';
    const code = wireCode.includes('#') ? wireCode.split('#')[1]! : wireCode;
    const message = (error.message ?? error.Message ?? data.message ?? data.Message ?? 'Unknown') as string;
    const name = names.has(code) ? code : modeled[code];
    const fields: Record<string, unknown> = { Type: error.Type, Code: error.Code };
    const additions = name ? data : error;
    for (const [k, v] of Object.entries(additions))
      if (
        v !== undefined &&
        !['message', 'Message', 'name'].includes(k) &&
        (fields[k] === undefined || fields[k] === '')
      )
        put(fields, k, v);
    fields.Error = { Type: error.Type, Code: error.Code, Message: message };
    return { code: name ?? code, message: message || 'UnknownError', fields };
  };
}
