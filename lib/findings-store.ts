import { RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { STORE_PERMISSIONS, TABLE_SCHEMA } from '../lambdas/adapters/dynamodb/schema.js';
import type { AlertsTopic } from './alerts.js';

export interface FindingsStore {
  readonly table: Table;
  readonly key: Key;
}

/** The CloudFormation logical id of a construct's resource, as cdk-nag names it in finding ids. */
export function logicalIdOf(construct: Construct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

function attribute(key: { readonly name: string; readonly type: 'S' | 'N' | 'B' }) {
  const types = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;
  return { name: key.name, type: types[key.type] };
}

/** The findings table exactly as TABLE_SCHEMA describes it; history outlives the stack unless told otherwise. */
export function createFindingsStore(scope: Construct, removalPolicy: RemovalPolicy): FindingsStore {
  const key = new Key(scope, 'TableKey', {
    description: 'trustwatch findings table',
    enableKeyRotation: true,
    removalPolicy,
  });
  const table = new Table(scope, 'Findings', {
    partitionKey: attribute(TABLE_SCHEMA.partitionKey),
    sortKey: attribute(TABLE_SCHEMA.sortKey),
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: TABLE_SCHEMA.timeToLiveAttribute,
    deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
    removalPolicy,
  });
  for (const index of TABLE_SCHEMA.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: attribute(index.sortKey),
      projectionType: ProjectionType[index.projection],
    });
  }
  return { table, key };
}

/** Exactly STORE_PERMISSIONS on the table and its indexes, and the table key through DynamoDB only. */
export function grantStore(role: IRole, store: FindingsStore): void {
  const region = Stack.of(store.table).region;
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'FindingsStore',
      actions: [...STORE_PERMISSIONS],
      resources: [store.table.tableArn, `${store.table.tableArn}/index/*`],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'FindingsStoreKey',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      resources: [store.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
    }),
  );
  Validations.of(role).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(store.table)}.Arn>/index/*]`,
      reason:
        'The store queries its own table’s GSIs (TABLE_SCHEMA.globalSecondaryIndexes); index/* covers exactly those of this table.',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'DynamoDB and SNS call GenerateDataKey/GenerateDataKeyWithoutPlaintext on the caller’s behalf; limited to this stack’s keys through kms:ViaService.',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason:
        'DynamoDB re-encrypts table data keys on the caller’s behalf; limited to the table key through kms:ViaService.',
    },
  );
}

/**
 * What the store and alert adapters call: exactly STORE_PERMISSIONS on the table and its indexes,
 * sns:Publish on the alerts topic (and the Chatbot topic, which shares its key), and each key only
 * through the service that uses it.
 */
export function grantStoreAndPublish(role: IRole, store: FindingsStore, alerts: AlertsTopic): void {
  grantStore(role, store);
  const region = Stack.of(store.table).region;
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'PublishAlerts',
      actions: ['sns:Publish'],
      resources: [alerts.topic.topicArn],
    }),
  );
  if (alerts.chatbotTopic) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PublishChatbotAlerts',
        actions: ['sns:Publish'],
        resources: [alerts.chatbotTopic.topicArn],
      }),
    );
  }
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'PublishAlertsKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: [alerts.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sns.${region}.amazonaws.com` } },
    }),
  );
}
