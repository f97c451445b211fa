import { isJsonObject } from './json-object.js';

/**
 * Does a CloudTrail trail's event-selector configuration record write management events from IAM,
 * what trustwatch needs to see? One judgement for both shapes it arrives in: the SDK's
 * GetEventSelectors output (PascalCase, in the sweep) and a PutEventSelectors request (camelCase,
 * in CloudTrail events). Field and key names are compared case-insensitively.
 */

/** A write management event from IAM, as advanced field selectors see it. */
const PROBE: Readonly<Record<string, string>> = {
  eventcategory: 'Management',
  readonly: 'false',
  eventsource: 'iam.amazonaws.com',
};

type Loose = Record<string, unknown>;

/** Reads a key whatever its case ("ReadWriteType" or "readWriteType"). */
function get(object: Loose, key: string): unknown {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(object)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function objects(value: unknown): Loose[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function fieldAccepts(selector: Loose, value: string): boolean {
  const any = (key: string, test: (v: string) => boolean) => {
    const values = strings(get(selector, key));
    return values.length === 0 || values.some(test);
  };
  const none = (key: string, test: (v: string) => boolean) => !strings(get(selector, key)).some(test);
  return (
    any('equals', (v) => v === value) &&
    any('startsWith', (v) => value.startsWith(v)) &&
    any('endsWith', (v) => value.endsWith(v)) &&
    none('notEquals', (v) => v === value) &&
    none('notStartsWith', (v) => value.startsWith(v)) &&
    none('notEndsWith', (v) => value.endsWith(v))
  );
}

/**
 * Basic selectors: management events included, ReadWriteType All or WriteOnly, IAM not excluded.
 * Advanced selectors: every field selector accepts the probe; a selector on a field the probe lacks
 * (eventName, userIdentity.arn…) counts as narrowing, so the trail is not counted (fail closed).
 */
export function recordsIamWriteEvents(selectors: { basic: unknown; advanced: unknown }): boolean {
  const basic = objects(selectors.basic).some(
    (s) =>
      get(s, 'includeManagementEvents') !== false &&
      (get(s, 'readWriteType') ?? 'All') !== 'ReadOnly' &&
      !strings(get(s, 'excludeManagementEventSources')).includes(PROBE.eventsource ?? ''),
  );
  const advanced = objects(selectors.advanced).some((s) => {
    const fields = objects(get(s, 'fieldSelectors'));
    if (!fields.some((f) => String(get(f, 'field')).toLowerCase() === 'eventcategory')) return false;
    return fields.every((f) => {
      const value = PROBE[String(get(f, 'field')).toLowerCase()];
      return value !== undefined && fieldAccepts(f, value);
    });
  });
  return basic || advanced;
}
