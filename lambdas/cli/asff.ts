// The ASFF builder lives in core (the Security Hub channel uses it too); the CLI's export imports it from here.
export * from '../core/asff.js';
