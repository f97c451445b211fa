import type {
  BatchImportFindingsCommandInput,
  BatchImportFindingsCommandOutput,
  BatchUpdateFindingsCommandInput,
  BatchUpdateFindingsCommandOutput,
} from '@aws-sdk/client-securityhub';
import {
  LeanServiceClient,
  outputMetadata,
  parseJsonObject,
  type HttpCall,
  type LeanClientConfig,
  type ServiceDescription,
} from './http.js';
import { restJsonErrorParser } from './json-errors.js';

/**
 * Stands in for @aws-sdk/client-securityhub (~174 KB of schemas and error classes in the deliver
 * bundle) in the Lambda bundles (lib/lambda-bundling.ts BUNDLE_ALIASES): the Security Hub channel
 * (adapters/securityhub/channel.ts) calls two restJson1 operations, signing name `securityhub`,
 * service id `SecurityHub` (client-securityhub runtimeConfig.shared.js: AwsRestJsonProtocol), the
 * routes from its schema (dist-es/schemas/schemas_0.js BatchImportFindings$ / BatchUpdateFindings$):
 *
 * - BatchImportFindings: `POST /findings/import`, body `{"Findings":[ASFF…]}`; answer FailedCount,
 *   SuccessCount, FailedFindings[{Id, ErrorCode, ErrorMessage}].
 * - BatchUpdateFindings: `PATCH /findings/batchupdate`, body the request members; answer
 *   ProcessedFindings[{Id, ProductArn}], UnprocessedFindings[{FindingIdentifier, ErrorCode,
 *   ErrorMessage}] (Security Hub API Reference, both operations' response syntax).
 * The top-level request members are sent in the SDK's order; inside them the input goes out as
 * given, where the SDK would drop members its schema does not know: trustwatch's ASFF
 * (core/asff.ts) holds only ASFF members and no timestamps or blobs, which test/lean-securityhub
 * proves by comparing the SDK's body for it with this one. Answers keep the members the SDK's
 * schema reads. Errors are named from `x-amzn-ErrorType`, then the body's `Code`
 * (AccessDeniedException, InvalidAccessException, InvalidInputException, LimitExceededException…).
 */
const SECURITY_HUB: ServiceDescription = {
  signingName: 'securityhub',
  serviceId: 'SecurityHub',
  parseError: restJsonErrorParser,
};

export class BatchImportFindingsCommand {
  constructor(readonly input: BatchImportFindingsCommandInput) {}
}

export class BatchUpdateFindingsCommand {
  constructor(readonly input: BatchUpdateFindingsCommandInput) {}
}

/** BatchUpdateFindingsRequest$ member order. */
const UPDATE_MEMBERS = [
  'FindingIdentifiers',
  'Note',
  'Severity',
  'VerificationState',
  'Confidence',
  'Criticality',
  'Types',
  'UserDefinedFields',
  'Workflow',
  'RelatedFindings',
] as const;

type Json = Record<string, unknown>;

/** The members of `from` named in `members`, those present only. */
function pick(from: unknown, members: readonly string[]): Json {
  const source = from && typeof from === 'object' ? (from as Json) : {};
  return Object.fromEntries(members.filter((m) => source[m] != null).map((m) => [m, source[m]]));
}

const list = (value: unknown, read: (item: unknown) => Json): Json[] | undefined =>
  Array.isArray(value) ? value.map(read) : undefined;

const identifier = (item: unknown) => pick(item, ['Id', 'ProductArn']);

function withLists(base: Json, lists: Record<string, Json[] | undefined>): Json {
  return {
    ...base,
    ...Object.fromEntries(Object.entries(lists).filter(([, v]) => v !== undefined)),
  };
}

export class SecurityHubClient extends LeanServiceClient {
  constructor(config: LeanClientConfig = {}) {
    super(SECURITY_HUB, config);
  }

  send(command: BatchImportFindingsCommand): Promise<BatchImportFindingsCommandOutput>;
  send(command: BatchUpdateFindingsCommand): Promise<BatchUpdateFindingsCommandOutput>;
  async send(
    command: BatchImportFindingsCommand | BatchUpdateFindingsCommand,
  ): Promise<BatchImportFindingsCommandOutput | BatchUpdateFindingsCommandOutput> {
    if (command instanceof BatchImportFindingsCommand) {
      const out = await this.call(
        'BatchImportFindings',
        'POST',
        '/findings/import',
        pick(command.input, ['Findings']),
      );
      return {
        ...withLists(pick(out, ['FailedCount', 'SuccessCount']), {
          FailedFindings: list(out.FailedFindings, (f) => pick(f, ['Id', 'ErrorCode', 'ErrorMessage'])),
        }),
        $metadata: out.$metadata,
      } as BatchImportFindingsCommandOutput;
    }
    if (command instanceof BatchUpdateFindingsCommand) {
      const out = await this.call(
        'BatchUpdateFindings',
        'PATCH',
        '/findings/batchupdate',
        pick(command.input, UPDATE_MEMBERS),
      );
      return {
        ...withLists(
          {},
          {
            ProcessedFindings: list(out.ProcessedFindings, identifier),
            UnprocessedFindings: list(out.UnprocessedFindings, (u) => {
              const entry = pick(u, ['ErrorCode', 'ErrorMessage']);
              const id = (u as Json | null)?.FindingIdentifier;
              return id == null ? entry : { FindingIdentifier: identifier(id), ...entry };
            }),
          },
        ),
        $metadata: out.$metadata,
      } as BatchUpdateFindingsCommandOutput;
    }
    throw new TypeError(
      'the lean SecurityHubClient only sends BatchImportFindingsCommand and BatchUpdateFindingsCommand',
    );
  }

  private async call(
    operation: string,
    method: HttpCall['method'],
    path: string,
    body: Json,
  ): Promise<Json & { $metadata: ReturnType<typeof outputMetadata> }> {
    const answer = await this.http.send({
      method,
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { ...parseJsonObject(answer, operation), $metadata: outputMetadata(answer) };
  }
}
