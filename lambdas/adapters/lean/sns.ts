import type { MessageAttributeValue, PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';
import {
  LeanServiceClient,
  outputMetadata,
  xmlText,
  type ErrorParser,
  type LeanClientConfig,
  type ServiceDescription,
} from './http.js';
import { queryEncode } from './aws-query.js';

/**
 * Stands in for @aws-sdk/client-sns in the Lambda bundles (lib/lambda-bundling.ts BUNDLE_ALIASES):
 * the alert sinks (adapters/sns-publisher.ts) publish with one operation.
 *
 * - Publish: awsQuery, `POST /`, `application/x-www-form-urlencoded`, body
 *   `Action=Publish&Version=2010-03-31` then the members in the SDK's order (client-sns
 *   dist-es/schemas/schemas_0.js PublishInput$: Message, TopicArn, TargetArn, PhoneNumber, Subject,
 *   MessageStructure, MessageAttributes, MessageDeduplicationId, MessageGroupId), the attribute map
 *   as `MessageAttributes.entry.N.Name` / `.Value.DataType|StringValue|BinaryValue` (N from 1 in
 *   the object's key order, BinaryValue base64) and every key and value encoded like
 *   @aws-sdk/core's QueryShapeSerializer (extendedEncodeURIComponent). SigV4 signing name and
 *   service id `sns` / `SNS` (runtimeConfig.shared.js).
 * - The answer `<PublishResponse><PublishResult><MessageId/>[<SequenceNumber/>]` (Publish, Amazon
 *   SNS API Reference, "Sample Response"); `$metadata.requestId` from `x-amzn-RequestId`.
 * - Errors `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>` named as the SDK
 *   names them: a code the schema maps with @awsQueryError (`InvalidParameter` →
 *   InvalidParameterException, `Throttled` → ThrottledException…) takes the modeled name and also
 *   carries `RequestId` and `xmlns`; any other code (`Throttling`, SNS's usual throttle) is the
 *   name itself. Both carry `Type`, `Code` and `Error: { Type, Code, Message }` like the SDK's.
 */

/** client-sns schemas_0.js: every error shape's @awsQueryError code → its SDK name. */
export const MODELED_ERRORS: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'AuthorizationError',
    'BatchEntryIdsNotDistinct',
    'BatchRequestTooLong',
    'ConcurrentAccess',
    'EmptyBatchRequest',
    'EndpointDisabled',
    'FilterPolicyLimitExceeded',
    'InternalError',
    'InvalidBatchEntryId',
    'InvalidParameter',
    'InvalidSecurity',
    'InvalidState',
    'KMSAccessDenied',
    'KMSDisabled',
    'KMSInvalidState',
    'KMSNotFound',
    'KMSThrottling',
    'NotFound',
    'OptedOut',
    'PlatformApplicationDisabled',
    'ReplayLimitExceeded',
    'ResourceNotFound',
    'StaleTag',
    'SubscriptionLimitExceeded',
    'TagLimitExceeded',
    'TagPolicy',
    'Throttled',
    'TooManyEntriesInBatchRequest',
    'TopicLimitExceeded',
    'UserError',
  ]
    .map((code) => [code, `${code}Exception`])
    .concat([
      ['KMSOptInRequired', 'KMSOptInRequired'],
      ['ParameterValueInvalid', 'InvalidParameterValueException'],
      ['ValidationException', 'ValidationException'],
      ['VerificationException', 'VerificationException'],
    ]),
);
/** A modeled error's own name on the wire is found too (the SDK looks the shape up by name first). */
const MODELED_NAMES = new Set(Object.values(MODELED_ERRORS));

/** The raw (still encoded) content of the first `<tag>…</tag>`. */
function rawElement(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml)?.[1];
}
const element = (xml: string, tag: string): string | undefined => {
  const raw = rawElement(xml, tag);
  return raw === undefined ? undefined : xmlText(raw);
};

export const snsErrorParser: ErrorParser = (answer) => {
  const error = rawElement(answer.body, 'Error') ?? '';
  const Type = element(error, 'Type');
  const wireCode = element(error, 'Code');
  const message = element(error, 'Message') ?? 'Unknown';
  // @aws-sdk/core AwsQueryProtocol.loadQueryErrorCode: no code and a 404 is NotFound.
  const code = wireCode ?? (answer.statusCode === 404 ? 'NotFound' : 'Unknown');
  const modeled = MODELED_ERRORS[code] ?? (MODELED_NAMES.has(code) ? code : undefined);
  const fields: Record<string, unknown> = {
    Type,
    Code: wireCode,
    Error: { Type, Code: wireCode, Message: message },
  };
  if (modeled) {
    const requestId = element(answer.body, 'RequestId');
    const xmlns = /<ErrorResponse\s[^>]*xmlns="([^"]*)"/.exec(answer.body)?.[1];
    if (requestId !== undefined) fields.RequestId = requestId;
    if (xmlns !== undefined) fields.xmlns = xmlText(xmlns);
  }
  return { code: modeled ?? code, message, fields };
};

const SNS: ServiceDescription = { signingName: 'sns', serviceId: 'SNS', parseError: snsErrorParser };

const VERSION = '2010-03-31';

/** PublishInput$ member order (schemas_0.js); MessageAttributes is the one non-string member. */
const PUBLISH_MEMBERS = [
  'Message',
  'TopicArn',
  'TargetArn',
  'PhoneNumber',
  'Subject',
  'MessageStructure',
  'MessageAttributes',
  'MessageDeduplicationId',
  'MessageGroupId',
] as const;

function base64(value: Uint8Array | string): string {
  return (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)).toString('base64');
}

/** The form body of one Publish, byte for byte what the SDK sends. */
export function publishBody(input: PublishCommandInput): string {
  const pairs: [string, string][] = [
    ['Action', 'Publish'],
    ['Version', VERSION],
  ];
  for (const member of PUBLISH_MEMBERS) {
    const value = input[member];
    if (value == null) continue;
    if (member !== 'MessageAttributes') {
      pairs.push([member, String(value)]);
      continue;
    }
    let n = 1;
    for (const name in value as Record<string, MessageAttributeValue>) {
      const attribute = (value as Record<string, MessageAttributeValue | undefined>)[name];
      if (attribute == null) continue;
      const prefix = `MessageAttributes.entry.${n}`;
      pairs.push([`${prefix}.Name`, name]);
      if (attribute.DataType != null) pairs.push([`${prefix}.Value.DataType`, attribute.DataType]);
      if (attribute.StringValue != null) pairs.push([`${prefix}.Value.StringValue`, attribute.StringValue]);
      if (attribute.BinaryValue != null)
        pairs.push([`${prefix}.Value.BinaryValue`, base64(attribute.BinaryValue as Uint8Array | string)]);
      n += 1;
    }
  }
  return pairs.map(([k, v]) => `${queryEncode(k)}=${queryEncode(v)}`).join('&');
}

export class PublishCommand {
  constructor(readonly input: PublishCommandInput) {}
}

export class SNSClient extends LeanServiceClient {
  constructor(config: LeanClientConfig = {}) {
    super(SNS, config);
  }

  async send(command: PublishCommand): Promise<PublishCommandOutput> {
    if (!(command instanceof PublishCommand))
      throw new TypeError('the lean SNSClient only sends PublishCommand');
    const answer = await this.http.send({
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: publishBody(command.input),
    });
    const result = rawElement(answer.body, 'PublishResult') ?? '';
    const MessageId = element(result, 'MessageId');
    const SequenceNumber = element(result, 'SequenceNumber');
    return {
      ...(MessageId !== undefined && { MessageId }),
      ...(SequenceNumber !== undefined && { SequenceNumber }),
      $metadata: outputMetadata(answer),
    };
  }
}
