import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { ReadWriteType, Trail } from 'aws-cdk-lib/aws-cloudtrail';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * A multi-region trail of management events, for accounts that have none: IAM, STS and sign-in
 * events reach EventBridge in us-east-1 only while a trail records them.
 */
export class ManagementEventsTrail extends Construct {
  readonly trail: Trail;
  readonly bucket: Bucket;

  /** @param props.trailName default `trustwatch-management-events` */
  constructor(scope: Construct, id: string, props: { readonly trailName?: string } = {}) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Logs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // Audit evidence outlives the stack whatever the construct's removal policy says.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket holds CloudTrail log files, which are themselves the access record; log file validation is on and the bucket is versioned and private.',
    });
    this.trail = new Trail(this, 'Trail', {
      trailName: props.trailName ?? 'trustwatch-management-events',
      bucket: this.bucket,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      managementEvents: ReadWriteType.ALL,
      enableFileValidation: true,
      sendToCloudWatchLogs: false,
    });
  }
}
