/**
 * AWS partitions: which partition (aws, aws-cn, aws-us-gov, …) a region or an ARN is in. An IAM
 * principal of one partition can never assume a role of another: each partition is its own IAM.
 * The region patterns are those the AWS SDK resolves endpoints with (its partitions.json).
 */

/** Each partition but the commercial one, with the regions it has. */
const PARTITIONS: readonly (readonly [string, RegExp])[] = [
  ['aws-cn', /^cn-\w+-\d+$/],
  ['aws-us-gov', /^us-gov-\w+-\d+$/],
  ['aws-iso', /^us-iso-\w+-\d+$/],
  ['aws-iso-b', /^us-isob-\w+-\d+$/],
  ['aws-iso-e', /^eu-isoe-\w+-\d+$/],
  ['aws-iso-f', /^us-isof-\w+-\d+$/],
  ['aws-eusc', /^eusc-de-\w+-\d+$/]
]

/** The partition of a region: the commercial `aws` unless its code says otherwise. */
export function regionPartition(region: string): string {
  return PARTITIONS.find(([, pattern]) => pattern.test(region))?.[0] ?? 'aws'
}

/** The partition of an ARN (`arn:PARTITION:…`), or undefined when it is not an ARN. */
export function arnPartition(arn: string): string | undefined {
  return /^arn:(aws[a-z-]*):/.exec(arn)?.[1]
}
