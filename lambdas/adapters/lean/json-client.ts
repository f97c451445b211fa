import {
  AwsServiceError,
  awsJsonCall,
  LeanServiceClient,
  type LeanClientConfig,
  type ServiceDescription,
} from './http.js';
import { awsJsonErrorParser } from './json-errors.js';

/**
 * What the awsJson1_0/1_1 lean clients (CloudTrail, SSO Admin, Identity Store, Organizations) share:
 * a command class per operation (`new XCommand(input)`, `.input`, as the SDK's) and a client whose
 * `send` posts the input as JSON and reads the answer the way the SDK's schema-driven deserializer
 * (@smithy/core protocols/json/codec-v2/JsonShapeDeserializer2) does for the members that need it:
 * timestamps (awsJson: epoch seconds) become Dates, unions with a member the client does not know
 * become `{ $unknown: [name, value] }`, null members of structures are dropped. Members the shape
 * does not name pass through as the service sent them (the SDK would drop members it does not model).
 */

/** The parts of an output's shape that need more than JSON.parse. */
export type OutputShape =
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'document' }
  | { readonly kind: 'list'; readonly item: OutputShape }
  | { readonly kind: 'map'; readonly value: OutputShape }
  | { readonly kind: 'struct'; readonly members: Readonly<Record<string, OutputShape>> }
  | { readonly kind: 'union'; readonly members: Readonly<Record<string, OutputShape | undefined>> };

export const timestamp: OutputShape = { kind: 'timestamp' };
/** A Smithy document (free JSON): kept exactly, nulls included. */
export const documentValue: OutputShape = { kind: 'document' };
export const list = (item: OutputShape): OutputShape => ({ kind: 'list', item });
/** A map: every key kept (null values too, as the SDK), each value read along `value`. */
export const map = (value: OutputShape): OutputShape => ({ kind: 'map', value });
export const struct = (members: Record<string, OutputShape>): OutputShape => ({ kind: 'struct', members });
/** A union: every member name the SDK models (value shapes where they need one). */
export const union = (members: Record<string, OutputShape | undefined>): OutputShape => ({
  kind: 'union',
  members,
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Epoch seconds (number or numeric string) → Date, as @smithy/core's parseEpochTimestamp. */
export function epochSecondsToDate(value: unknown, member: string): Date {
  const seconds =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d*\.?\d+$/.test(value)
        ? Number.parseFloat(value)
        : NaN;
  if (!Number.isFinite(seconds))
    throw new AwsServiceError('InvalidResponse', `${member} is not an epoch timestamp: ${String(value)}`, {
      attempts: 1,
      totalRetryDelay: 0,
      throttling: false,
    });
  return new Date(Math.round(seconds * 1000));
}

/** Reads one JSON value along its shape; without a shape: objects lose their null members. */
export function readJsonValue(value: unknown, shape: OutputShape | undefined, member = 'output'): unknown {
  if (value === null || value === undefined) return value;
  if (shape?.kind === 'document') return value;
  if (shape?.kind === 'timestamp') return epochSecondsToDate(value, member);
  if (Array.isArray(value)) {
    const item = shape?.kind === 'list' ? shape.item : undefined;
    return value.map((v) => readJsonValue(v, item, `${member}[]`));
  }
  if (!isObject(value)) return value;
  if (shape?.kind === 'map') {
    const entries = Object.entries(value).map(([k, v]) => [
      k,
      readJsonValue(v, shape.value, `${member}.${k}`),
    ]);
    return Object.fromEntries(entries);
  }
  const members = shape?.kind === 'struct' || shape?.kind === 'union' ? shape.members : {};
  const modeled = (key: string) => Object.hasOwn(members, key);
  // Entries, not assignment: a `__proto__` member stays data (Object.fromEntries defines own properties).
  const entries = Object.entries(value)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => [k, readJsonValue(v, modeled(k) ? members[k] : undefined, `${member}.${k}`)] as const);
  if (shape?.kind !== 'union') return Object.fromEntries(entries);
  // The SDK's UnionSerde: no modeled member set and exactly one key it does not model → $unknown.
  const known = entries.filter(([k]) => modeled(k));
  const unknown = Object.keys(value).filter((k) => k !== '__type' && !modeled(k));
  if (unknown.length === 1 && known.length === 0) return { $unknown: [unknown[0], value[unknown[0]!]] };
  return Object.fromEntries(known);
}

/** One operation's request: the SDK command's `input`, with what the client needs to send it. */
export abstract class AwsJsonCommand<Input, Output> {
  /** The operation name, the X-Amz-Target suffix. */
  abstract readonly operation: string;
  /** Where the output needs more than JSON (timestamps, unions); none: plain JSON. */
  readonly outputShape?: OutputShape;
  /** Type-only: the output this command resolves to. */
  declare readonly __output?: Output;
  constructor(readonly input: Input) {}
}

export interface AwsJsonProtocol {
  readonly version: '1.0' | '1.1';
  /** The SDK's `serviceTarget` (runtimeConfig.shared.js protocolSettings): X-Amz-Target = `${target}.${operation}`. */
  readonly targetPrefix: string;
}

/** An awsJson service's lean client: SDK constructor config, `send(command)` → the SDK's output shape. */
export abstract class AwsJsonClient extends LeanServiceClient {
  constructor(
    service: Omit<ServiceDescription, 'parseError'>,
    private readonly protocol: AwsJsonProtocol,
    config: LeanClientConfig = {},
  ) {
    super({ ...service, parseError: awsJsonErrorParser }, config);
  }

  async send<Input, Output>(command: AwsJsonCommand<Input, Output>): Promise<Output> {
    if (!(command instanceof AwsJsonCommand))
      throw new TypeError(
        `lean ${this.constructor.name} was sent a command that is not its own (${(command as object)?.constructor?.name}): ` +
          'the bundle must alias the SDK package for every module that builds commands (lib/lambda-bundling.ts)',
      );
    const { $metadata, ...body } = await awsJsonCall(
      this.http,
      this.protocol,
      command.operation,
      command.input,
    );
    const output = readJsonValue(body, command.outputShape) as Record<string, unknown>;
    return { ...output, $metadata } as Output;
  }
}
