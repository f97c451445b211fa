import {
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import type { DeployedStack, DoctorClients, StackResource } from './model.js';

/** The stack does not exist in this region (DescribeStacks: ValidationError "… does not exist"). */
export class StackNotFoundError extends Error {
  constructor(
    readonly stackName: string,
    readonly region: string,
  ) {
    super(`stack ${stackName} not found in ${region}`);
    this.name = 'StackNotFoundError';
  }
}

/** DescribeStacks for status and drift, then every resource (ListStackResources, paged by NextToken). */
export async function loadDeployedStack(
  clients: Pick<DoctorClients, 'cloudformation'>,
  stackName: string,
  region: string,
): Promise<DeployedStack> {
  let described;
  try {
    described = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name === 'ValidationError' && /does not exist/i.test(e.message ?? ''))
      throw new StackNotFoundError(stackName, region);
    throw error;
  }
  const stack = described.Stacks?.[0];
  if (!stack) throw new StackNotFoundError(stackName, region);
  const summaries: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await clients.cloudformation.send(
      new ListStackResourcesCommand({ StackName: stackName, ...(token && { NextToken: token }) }),
    );
    summaries.push(...(page.StackResourceSummaries ?? []));
    token = page.NextToken;
  } while (token);
  const resources: StackResource[] = summaries.map((s) => ({
    logicalId: s.LogicalResourceId ?? '',
    physicalId: s.PhysicalResourceId ?? '',
    type: s.ResourceType ?? '',
  }));
  const lastCheck = stack.DriftInformation?.LastCheckTimestamp;
  return {
    name: stack.StackName ?? stackName,
    region,
    // arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
    accountId: stack.StackId?.split(':')[4] ?? '',
    status: stack.StackStatus ?? 'UNKNOWN',
    driftStatus: stack.DriftInformation?.StackDriftStatus ?? 'NOT_CHECKED',
    ...(lastCheck && { lastDriftCheck: lastCheck.toISOString() }),
    resources,
    // DescribeStacks Stacks[].Outputs: [{ OutputKey, OutputValue, Description, ExportName }].
    outputs: Object.fromEntries(
      (stack.Outputs ?? []).flatMap((o) =>
        o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [],
      ),
    ),
  };
}
