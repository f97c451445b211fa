export { normaliseAuthorizationDetails, type AuthorizationDetails } from './auth-details.js';
export { SNAPSHOT_CALLS, SNAPSHOT_PERMISSIONS, actionFor, type SnapshotCall } from './calls.js';
export type { CredentialReportWait } from './credential-report.js';
export {
  createSnapshotClients,
  readAccountSnapshot,
  readAccountSnapshotWithStats,
  type ReadSnapshotOptions,
  type SnapshotClients,
  type SnapshotProgress,
  type SnapshotRead,
  type SnapshotReadStats,
} from './snapshot-reader.js';
export { recordsWriteManagementEvents } from './trails.js';
