import { describe, expect, it } from 'vitest';
import {
  documentValue,
  epochSecondsToDate,
  list,
  map,
  readJsonValue,
  struct,
  timestamp,
} from '../lambdas/adapters/lean/json-client.js';

/** The output reader's own edges; agreement with the SDK is proven by the test/lean-*.test.ts differentials. */
describe('readJsonValue', () => {
  it('keeps a __proto__ member as data and pollutes nothing', () => {
    const out = readJsonValue(
      JSON.parse('{"__proto__": {"polluted": 1}, "a": {"b": null, "c": 2}}'),
      struct({}),
    ) as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(out.a).toEqual({ c: 2 });
  });

  it('does not take inherited names for modeled members', () => {
    expect(readJsonValue({ toString: 5, constructor: 'x' }, struct({ At: timestamp }))).toEqual({
      toString: 5,
      constructor: 'x',
    });
  });

  it('documents and map values stay as sent, nulls included; lists keep their nulls', () => {
    const shape = struct({ Ext: map(documentValue), Times: list(timestamp) });
    expect(readJsonValue({ Ext: { k: { v: null } }, Times: [1, null] }, shape)).toEqual({
      Ext: { k: { v: null } },
      Times: [new Date(1000), null],
    });
  });

  it('epoch timestamps: numbers and numeric strings, anything else is a clear error', () => {
    expect(epochSecondsToDate('1454022144.869', 'T')).toEqual(new Date(1454022144869));
    expect(() => epochSecondsToDate('2016-01-28T23:02:24Z', 'LatestDeliveryTime')).toThrow(
      /LatestDeliveryTime is not an epoch timestamp/,
    );
  });
});
