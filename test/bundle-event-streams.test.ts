import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { handlerEntries } from '../bench/sections/bundles.js';
import { EventStreamSerde, eventStreamSerdeProvider } from '../lambdas/adapters/no-event-streams.js';
import { LAMBDA_BUILD_OPTIONS } from '../lib/lambda-bundling.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * @smithy/core/event-streams is aliased out of the Lambda bundles. That is only sound while no
 * bundled operation has an event-stream member: the SDK's HttpProtocol loads the codec only when a
 * schema member carries the `streaming` trait (NormalizedSchema.getEventStreamMember /
 * HttpBindingProtocol's stream flags), and client schemas spell that trait `"streaming"`.
 */
describe('event streams stay out of the Lambda bundles, and cannot be needed', () => {
  it.each(handlerEntries())(
    '%s: no client schema streams, and the codec is not bundled',
    async (handler) => {
      const built = await build({
        ...LAMBDA_BUILD_OPTIONS,
        entryPoints: [join(ROOT, 'lambdas', 'handlers', `${handler}.ts`)],
        outfile: join(ROOT, '.trustwatch', 'bundle-event-streams', handler, 'index.mjs'),
        metafile: true,
        write: false,
        logLevel: 'error',
      });
      const inputs = Object.keys(built.metafile.inputs);
      const schemas = inputs.filter((i) => /@aws-sdk\/[^/]+\/dist-es\/schemas\//.test(i));
      const streams = inputs.filter((i) => /@smithy\/core\/dist-es\/submodules\/event-streams\//.test(i));
      // A bundle on lean clients only (lambdas/adapters/lean) has no SDK client and no codec to alias.
      if (!inputs.some((i) => /@aws-sdk\/client-[^/]+\//.test(i))) {
        expect([...schemas, ...streams]).toEqual([]);
        return;
      }
      expect(schemas.length).toBeGreaterThan(0); // the clients are really there
      for (const file of schemas) {
        const text = readFileSync(join(ROOT, file), 'utf8');
        expect(text.includes('"streaming"'), `${file} has a streaming member`).toBe(false);
      }
      expect(inputs.filter((i) => /@smithy\/core\/dist-es\/submodules\/event-streams\//.test(i))).toEqual([]);
      expect(inputs).toContain('lambdas/adapters/no-event-streams.ts');
    },
    60_000,
  );

  it('the stand-in fails loudly if an event-stream operation is ever called', () => {
    expect(() => new EventStreamSerde()).toThrow(/event streams are not bundled/);
    expect(() => eventStreamSerdeProvider()).toThrow(/remove the alias/);
  });
});
