import { marshall, unmarshall, type marshallOptions, type unmarshallOptions } from '@aws-sdk/util-dynamodb';
import { DynamoDBClient, DynamoDBCommand, type DynamoDBOutput } from './dynamodb.js';
import { OPERATIONS, translate, type Operation } from './dynamodb-paths.js';

/**
 * Stands in for @aws-sdk/lib-dynamodb in the Lambda bundles (an esbuild alias,
 * lib/lambda-bundling.ts), over the lean DynamoDBClient (lean/dynamodb.ts). A module of its own
 * because both packages export a `QueryCommand`: the document one marshalls, the client one does not.
 *
 * Commands: GetCommand, PutCommand, UpdateCommand, DeleteCommand, QueryCommand, BatchGetCommand,
 * BatchWriteCommand, TransactWriteCommand. As lib-dynamodb 3.1162 does
 * (dist-es/baseCommand/DynamoDBDocumentClientCommand.js): the members its commands'
 * `inputKeyNodes` name are marshalled with @aws-sdk/util-dynamodb's `marshall` (translateConfig's
 * marshallOptions, `convertTopLevelContainer` defaulting to true), the `outputKeyNodes` members
 * unmarshalled with `unmarshall` (`convertWithoutMapWrapper` defaulting to true). Errors pass
 * through untouched, as there: their `Item` stays in attribute-value form.
 */

export interface TranslateConfig {
  readonly marshallOptions?: marshallOptions;
  readonly unmarshallOptions?: unmarshallOptions;
}

type Input = Record<string, unknown>;

/** A document command: an operation whose attribute values are plain JavaScript values. */
export class DynamoDBDocumentClientCommand {
  constructor(
    readonly operation: Operation,
    readonly input: Input,
  ) {}
}

export class GetCommand extends DynamoDBDocumentClientCommand {
  constructor(input: Input) {
    super('GetItem', input);
  }
}
export class PutCommand extends DynamoDBDocumentClientCommand {
  constructor(input: Input) {
    super('PutItem', input);
  }
}
export class UpdateCommand extends DynamoDBDocumentClientCommand {
  constructor(input: Input) {
    super('UpdateItem', input);
  }
}
export class DeleteCommand extends DynamoDBDocumentClientCommand {
  constructor(input: Input) {
    super('DeleteItem', input);
  }
}
export class QueryCommand extends DynamoDBDocumentClientCommand {
  constructor(input: Input) {
    super('Query', input);
  }
}
export class BatchGetCommand extends DynamoDBDocumentClientCommand {
  constructor(input: Input) {
    super('BatchGetItem', input);
  }
}
export class BatchWriteCommand extends DynamoDBDocumentClientCommand {
  constructor(input: Input) {
    super('BatchWriteItem', input);
  }
}
export class TransactWriteCommand extends DynamoDBDocumentClientCommand {
  constructor(input: Input) {
    super('TransactWriteItems', input);
  }
}

export class DynamoDBDocumentClient {
  readonly config: { readonly translateConfig?: TranslateConfig };
  /** The client's, as lib-dynamodb shares it: middlewares see document commands' requests too. */
  readonly middlewareStack: DynamoDBClient['middlewareStack'];
  private readonly marshallOptions: marshallOptions;
  private readonly unmarshallOptions: unmarshallOptions;

  constructor(
    private readonly client: DynamoDBClient,
    translateConfig?: TranslateConfig,
  ) {
    if (!(client instanceof DynamoDBClient))
      throw new TypeError(
        'lean DynamoDBDocumentClient: the client must be the lean DynamoDBClient (lambdas/adapters/lean/dynamodb.ts)',
      );
    this.config = translateConfig ? { translateConfig } : {};
    this.middlewareStack = client.middlewareStack;
    const m = translateConfig?.marshallOptions ?? {};
    const u = translateConfig?.unmarshallOptions ?? {};
    this.marshallOptions = { ...m, convertTopLevelContainer: m.convertTopLevelContainer ?? true };
    this.unmarshallOptions = { ...u, convertWithoutMapWrapper: u.convertWithoutMapWrapper ?? true };
  }

  static from(client: DynamoDBClient, translateConfig?: TranslateConfig): DynamoDBDocumentClient {
    return new DynamoDBDocumentClient(client, translateConfig);
  }

  async send(command: DynamoDBDocumentClientCommand | DynamoDBCommand): Promise<DynamoDBOutput> {
    // Client commands (GetItemCommand…) pass through unmarshalled, as lib-dynamodb's send does.
    if (command instanceof DynamoDBCommand) return this.client.send(command);
    if (!(command instanceof DynamoDBDocumentClientCommand))
      throw new TypeError('lean DynamoDBDocumentClient: send takes its document commands (GetCommand…)');
    const nodes = OPERATIONS[command.operation];
    const input = translate(command.input, nodes.input, (v) => marshall(v, this.marshallOptions));
    const output = await this.client.send(new DynamoDBCommand(command.operation, input));
    return translate(output, nodes.output, (v) =>
      unmarshall(v as Parameters<typeof unmarshall>[0], this.unmarshallOptions),
    );
  }

  /** As lib-dynamodb's: the client it wraps stays usable (destroy that one yourself). */
  destroy(): void {}
}
