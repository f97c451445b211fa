import { requestString, type CloudTrailRecord } from '../../core/cloudtrail.js';

/** The console names root's virtual MFA device this; its serial is arn:aws:iam::ACCOUNT:mfa/root-account-mfa-device. */
const ROOT_DEVICE = /root-account-mfa-device/;

/**
 * True when an IAM credential call (MFA device, signing certificate) acts on the root user's own
 * credentials: root made it and named no IAM user (root's own calls name it "AWS ROOT USER" or
 * not at all, and IAM user names cannot hold spaces), or it names root's MFA device.
 */
export function actsOnRootCredential(record: CloudTrailRecord): boolean {
  const device = requestString(record, 'serialNumber') ?? requestString(record, 'virtualMFADeviceName') ?? '';
  if (ROOT_DEVICE.test(device) && record.eventName !== 'CreateVirtualMFADevice') return true;
  if (record.userIdentity.type !== 'Root') return false;
  const userName = requestString(record, 'userName');
  return !userName || /\s/.test(userName) || ROOT_DEVICE.test(device);
}
