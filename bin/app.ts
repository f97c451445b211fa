#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lambdas/core/config.js';
import { defineTrustWatchApp } from '../lib/app.js';

const app = new App();
try {
  defineTrustWatchApp(app);
} catch (error) {
  // A bad config is the user's to fix: say which key, not where in our code it was noticed.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`trustwatch: ${error.message}\n`);
  process.exit(1);
}
app.synth();
