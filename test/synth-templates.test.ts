import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthTemplates } from '../scripts/synth-templates.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const dir = mkdtempSync(join(tmpdir(), 'trustwatch-synth-templates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ORG = { id: 'o-a1b2c3d4e5', deploymentTargets: ['r-ab12'], managementAccountId: '999999999999' };
const read = (file: string) => JSON.parse(readFileSync(join(dir, 'out', file), 'utf8')) as Json;
const ofType = (t: Json, type: string) =>
  Object.entries(t.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);

// Two synths with cdk-nag (the spoke's own app included): slow on a shared machine.
describe(
  'npm run synth:templates (for Terraform and other CloudFormation deployers)',
  { timeout: 180_000 },
  () => {
    it('writes the single-account template with its asset list, and the spoke template', () => {
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ alerts: { emails: ['sec@example.com'] }, organization: ORG }));
      const result = synthTemplates({ outDir: join(dir, 'out'), configFile: config, bundle: false });
      expect(readdirSync(join(dir, 'out')).sort()).toEqual([
        'TrustWatch.assets.json',
        'TrustWatch.template.json',
        'TrustWatchOrgSpoke.template.json',
      ]);
      expect(result.skipped).toEqual([]);

      const single = read('TrustWatch.template.json');
      const functions = ofType(single, 'AWS::Lambda::Function');
      // The event and sweep functions (the Slack notifier only with a webhook).
      expect(functions.length).toBeGreaterThanOrEqual(2);
      // Not the hub: the single-account stack, whatever the config's organization says.
      expect(ofType(single, 'AWS::CloudFormation::StackSet')).toEqual([]);
      expect(ofType(single, 'AWS::StepFunctions::StateMachine')).toEqual([]);
      // Its code lives in the CDK bootstrap bucket; the asset list names each key.
      const assets = read('TrustWatch.assets.json');
      expect(assets.functions.map((f: Json) => f.logicalId).sort()).toEqual(
        functions.map(([id]) => id).sort(),
      );
      for (const f of assets.functions as Json[]) {
        expect(JSON.stringify(f.s3Bucket)).toContain('cdk-hnb659fds-assets-');
        expect(String(f.s3Key)).toMatch(/^[0-9a-f]{64}\.zip$/);
      }
      expect(single.Parameters.BootstrapVersion).toBeDefined();

      const spoke = read('TrustWatchOrgSpoke.template.json');
      expect(ofType(spoke, 'AWS::Lambda::Function')).toEqual([]);
      expect(spoke.Parameters.HubAccountId).toBeDefined();
      // No bootstrap and no asset: a StackSet can deploy it to any account.
      expect(spoke.Parameters.BootstrapVersion).toBeUndefined();
      expect(JSON.stringify(spoke)).not.toContain('cdk-hnb659fds');
      expect(JSON.stringify(spoke)).toContain(ORG.id);
    });

    it('skips the spoke, saying why, when the config has no organization; refuses a bad config', () => {
      const config = join(dir, 'single.json');
      writeFileSync(config, JSON.stringify({}));
      const result = synthTemplates({ outDir: join(dir, 'single'), configFile: config, bundle: false });
      expect(result.files.map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual([
        'TrustWatch.template.json',
        'TrustWatch.assets.json',
      ]);
      expect(result.skipped[0]).toMatch(
        /^TrustWatchOrgSpoke\.template\.json: the config has no "organization"/,
      );
      writeFileSync(config, JSON.stringify({ alerts: { nope: 1 } }));
      expect(() => synthTemplates({ outDir: join(dir, 'bad'), configFile: config, bundle: false })).toThrow(
        /alerts/,
      );
    });
  },
);
