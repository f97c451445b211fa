/** Trust-policy analysis: who can assume a role and what is wrong with it. Pure: no I/O, no clock. */
export { analyzeTrustPolicy, trustGrants } from './analyze.js';
export { globCovers, globMatch, parseOperator } from './conditions.js';
export { issuerProfile, type IssuerProfile, type Reach } from './oidc-issuers.js';
export { subjectPins } from './oidc-subjects.js';
export { classifyRole, normaliseIssuer, principalsOf } from './principals.js';
export { analyzeRoleTrust, describeTrust, trustVerdicts } from './verdicts.js';
export type {
  AssumeAction,
  KeyConstraint,
  IneffectiveCondition,
  TrustContext,
  TrustGrant,
  TrustIssue,
  TrustIssueKind,
  TrustPolicyAnalysis,
  TrustPrincipal,
} from './types.js';
export { trustWidenings, type TrustWidening } from './widening.js';
