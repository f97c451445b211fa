import { vi } from 'vitest';
import { useLeanDynamoDbClient } from './helpers/dynalite.js';

/**
 * The DynamoDB store suites again, on the lean DynamoDB clients the Lambda bundles use
 * (lambdas/adapters/lean/dynamodb*.ts): the stores' code imports @aws-sdk/lib-dynamodb, mocked here
 * to the lean document client as the bundles' esbuild alias does, and dynalite hands out the lean
 * DynamoDBClient. Every test of each suite runs unchanged; a difference in marshalling, paging,
 * conditional writes or errors fails it here.
 */
vi.mock('@aws-sdk/lib-dynamodb', () => import('../lambdas/adapters/lean/dynamodb-document.js'));
useLeanDynamoDbClient();

await import('./store-contract.test.js');
await import('./store-accounts.test.js');
await import('./store-account-keys.test.js');
await import('./store-policy-change.test.js');
await import('./lifecycle.test.js');
await import('./local-store-truth.test.js');
await import('./identity-baseline-store.test.js');
await import('./identity-center-state.test.js');
await import('./outbox-channels.test.js');
await import('./ticket-refs.test.js');
await import('./watcher-context.test.js');
