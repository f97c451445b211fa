import { headerOf, type ErrorParser } from './http.js';

/**
 * Errors of the JSON protocols exactly as the SDK reads them (@smithy/core protocols/json/
 * parseJsonBody.js `loadRestJsonErrorCode` / `loadJsonRpcErrorCode`, and @aws-sdk/core's
 * AwsRestJsonProtocol / AwsJsonRpcProtocol `handleError`), for the lean clients whose differential
 * tests compare every field of an error with the SDK's:
 * - the code comes from the `x-amzn-errortype` header, a `code` member of any case (Security Hub
 *   answers `"Code"`) or `__type`, in the protocol's order; `prefix#Code:uri,extra` → `Code`;
 *   none at all → `Unknown`;
 * - the message is `message`, else `Message`, else `UnknownError`;
 * - every other member of the body stays on the error (the SDK copies them all, `__type` and `Code`
 *   included, through decorateServiceException).
 * One deliberate difference from the SDK: an error body that is not JSON (a proxy's HTML page) is
 * an `Unknown` error with its status here, where the SDK throws a SyntaxError about the body.
 */
type CodeSource = 'header' | 'code' | 'type';

/** restJson1 (Security Hub): header, then `code`, then `__type`. */
export const restJsonErrorParser: ErrorParser = (answer) =>
  parseJsonError(answer, ['header', 'code', 'type']);

/** awsJson1_0 / awsJson1_1 without query compatibility (Secrets Manager): `__type`, `code`, header. */
export const awsJsonErrorParser: ErrorParser = (answer) => parseJsonError(answer, ['type', 'code', 'header']);

/** `aws.protocoltests#Code:http://…` → `Code`, as the SDK's sanitizeErrorCode does it. */
export function sdkErrorCode(raw: string | number): string {
  let clean = String(raw);
  if (clean.includes(',')) clean = clean.split(',')[0]!;
  if (clean.includes(':')) clean = clean.split(':')[0]!;
  if (clean.includes('#')) clean = clean.split('#')[1]!;
  return clean;
}

function parseJsonError(
  answer: Parameters<ErrorParser>[0],
  order: readonly CodeSource[],
): ReturnType<ErrorParser> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = answer.body.trim() ? JSON.parse(answer.body) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page): no code, the status code speaks.
  }
  const codeKey = Object.keys(body).find((k) => k.toLowerCase() === 'code');
  const found = order
    .map((source) => {
      if (source === 'header') return headerOf(answer.headers, 'x-amzn-errortype');
      if (source === 'code') return codeKey === undefined ? undefined : body[codeKey];
      return body.__type;
    })
    .find((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  const message =
    typeof body.message === 'string'
      ? body.message
      : typeof body.Message === 'string'
        ? body.Message
        : 'UnknownError';
  const fields = Object.fromEntries(
    Object.entries(body).filter(([k, v]) => k !== 'message' && k !== 'Message' && v !== undefined),
  );
  return { code: found === undefined ? 'Unknown' : sdkErrorCode(found), message, fields };
}
