/**
 * AWS partitions as the SDK's endpoint rule sets find them (`aws.partition` in
 * @aws-sdk/core/dist-es/submodules/client/util-endpoints/lib/aws/partition.js over partitions.js):
 * a partition's `<id>-global` region first, then the region patterns in this order; anything else
 * is `aws`.
 */
export interface Partition {
  readonly id: string;
  readonly dnsSuffix: string;
}

const PARTITIONS: readonly (Partition & { readonly regex: RegExp })[] = [
  { id: 'aws', dnsSuffix: 'amazonaws.com', regex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/ },
  { id: 'aws-cn', dnsSuffix: 'amazonaws.com.cn', regex: /^cn-\w+-\d+$/ },
  { id: 'aws-eusc', dnsSuffix: 'amazonaws.eu', regex: /^eusc-(de)-\w+-\d+$/ },
  { id: 'aws-iso', dnsSuffix: 'c2s.ic.gov', regex: /^us-iso-\w+-\d+$/ },
  { id: 'aws-iso-b', dnsSuffix: 'sc2s.sgov.gov', regex: /^us-isob-\w+-\d+$/ },
  { id: 'aws-iso-e', dnsSuffix: 'cloud.adc-e.uk', regex: /^eu-isoe-\w+-\d+$/ },
  { id: 'aws-iso-f', dnsSuffix: 'csp.hci.ic.gov', regex: /^us-isof-\w+-\d+$/ },
  { id: 'aws-us-gov', dnsSuffix: 'amazonaws.com', regex: /^us-gov-\w+-\d+$/ },
];

export function partitionOf(region: string): Partition {
  const p =
    PARTITIONS.find((x) => region === `${x.id}-global`) ??
    PARTITIONS.find((x) => x.regex.test(region)) ??
    PARTITIONS[0]!;
  return { id: p.id, dnsSuffix: p.dnsSuffix };
}
