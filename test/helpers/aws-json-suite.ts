import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  differential,
  errorEssentials,
  essentials,
  LoopbackAws,
  outputEssentials,
  signatureIsValid,
  TEST_CREDENTIALS,
  type Answer,
} from './aws-differential.js';

/**
 * One differential suite for an awsJson service: every case goes through the real SDK client and
 * the lean client against the same loopback answers; requests, outputs and errors must match.
 */

type AnyCommandClass = new (input: never) => object;
type Module = Readonly<Record<string, unknown>>;
interface SendingClient {
  send(command: object): Promise<unknown>;
  destroy(): void;
}

export interface OperationCase {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** A 200 answer as the service sends it (cite where it comes from in the test file). */
  readonly answer: unknown;
  /** Extra checks on the lean output (the SDK's is equal to it by then). */
  readonly check?: (output: Record<string, unknown>) => void;
}

export interface JsonServiceSuite {
  readonly service: string;
  readonly region: string;
  readonly signingName: string;
  /** X-Amz-Target prefix the SDK sends (and so must the lean client). */
  readonly targetPrefix: string;
  /** `AWS_ENDPOINT_URL_<ID>` for this service. */
  readonly endpointEnv: string;
  readonly sdk: Module;
  readonly lean: Module;
  readonly clientName: string;
  readonly cases: readonly OperationCase[];
  /** A modeled error and the modeled members to compare. */
  readonly modeledError: { readonly case: OperationCase; readonly answer: Answer; readonly fields: string[] };
  /** The service's throttling answer. */
  readonly throttle: Answer;
}

export function client(module: Module, name: string, config: Record<string, unknown>): SendingClient {
  const Client = module[name] as new (config: Record<string, unknown>) => SendingClient;
  return new Client(config);
}

export function command(module: Module, operation: string, input: unknown): object {
  const Command = module[`${operation}Command`] as AnyCommandClass | undefined;
  if (!Command) throw new Error(`no ${operation}Command exported`);
  return new Command(input as never);
}

export function describeJsonService(suite: JsonServiceSuite): void {
  describe(`lean ${suite.service} client against the SDK's (loopback differential)`, () => {
    let server: LoopbackAws;
    beforeAll(async () => {
      server = await LoopbackAws.start();
    });
    afterAll(() => server.close());
    afterEach(() => vi.restoreAllMocks());

    const config = () => ({ region: suite.region, endpoint: server.url, credentials: TEST_CREDENTIALS });
    const side = (which: 'sdk' | 'lean') => (which === 'sdk' ? suite.sdk : suite.lean);
    const send = (which: 'sdk' | 'lean', c: OperationCase, extra: Record<string, unknown> = {}) => {
      const mod = side(which);
      const sdkClient = client(mod, suite.clientName, { ...config(), ...extra });
      return sdkClient.send(command(mod, c.operation, c.input)).finally(() => sdkClient.destroy());
    };

    it('exports every command the cases use, from both modules', () => {
      for (const c of suite.cases) {
        expect(typeof suite.lean[`${c.operation}Command`], c.operation).toBe('function');
        expect(typeof suite.sdk[`${c.operation}Command`], c.operation).toBe('function');
      }
    });

    it.each(suite.cases.map((c) => [c.operation, c] as const))(
      '%s: same request, valid signature, same output',
      async (_name, c) => {
        const { sdk, lean } = await differential(server, [{ status: 200, body: c.answer }], (s) =>
          send(s, c),
        );
        if (!sdk.result.ok) throw sdk.result.error;
        if (!lean.result.ok) throw lean.result.error;
        expect(lean.requests).toHaveLength(1);
        expect(sdk.requests).toHaveLength(1);
        const request = essentials(lean.requests[0]!);
        expect(request).toEqual(essentials(sdk.requests[0]!));
        expect(request.target).toBe(`${suite.targetPrefix}.${c.operation}`);
        expect(request.scope).toBe(`${suite.region}/${suite.signingName}/aws4_request`);
        expect(request.token).toBe(TEST_CREDENTIALS.sessionToken);
        expect(await signatureIsValid(sdk.requests[0]!, suite.region, suite.signingName)).toBe(true);
        expect(await signatureIsValid(lean.requests[0]!, suite.region, suite.signingName)).toBe(true);
        expect(outputEssentials(lean.result.value)).toEqual(outputEssentials(sdk.result.value));
        c.check?.(lean.result.value as Record<string, unknown>);
      },
    );

    it('a modeled error: same name, message, status, request id and modeled members', async () => {
      const { case: c, answer, fields } = suite.modeledError;
      const { sdk, lean } = await differential(server, [answer], (s) => send(s, c));
      expect(sdk.result.ok).toBe(false);
      expect(lean.result.ok).toBe(false);
      if (sdk.result.ok || lean.result.ok) return;
      const expected = errorEssentials(sdk.result.error, fields);
      expect(errorEssentials(lean.result.error, fields)).toEqual(expected);
      expect(lean.result.error).toBeInstanceOf(Error);
      // The comparison is not vacuous: the modeled members are really there.
      for (const f of fields) expect(expected[f as keyof typeof expected], f).toBeDefined();
    });

    it('a throttle, retried, then success: same output after the same two requests', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0); // no backoff wait, in both clients
      const c = suite.cases[0]!;
      const { sdk, lean } = await differential(
        server,
        [suite.throttle, { status: 200, body: c.answer }],
        (s) => send(s, c),
      );
      if (!sdk.result.ok) throw sdk.result.error;
      if (!lean.result.ok) throw lean.result.error;
      expect(sdk.requests).toHaveLength(2);
      expect(lean.requests).toHaveLength(2);
      expect(essentials(lean.requests[1]!)).toEqual(essentials(sdk.requests[1]!));
      expect(outputEssentials(lean.result.value).output).toEqual(outputEssentials(sdk.result.value).output);
    });

    it('a throttle that outlasts the retries: the same error after the same attempts', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0);
      const c = suite.cases[0]!;
      const answers = [suite.throttle, suite.throttle, suite.throttle, suite.throttle];
      const { sdk, lean } = await differential(server, answers, (s) => send(s, c));
      expect(sdk.result.ok || lean.result.ok).toBe(false);
      if (sdk.result.ok || lean.result.ok) return;
      expect(sdk.requests).toHaveLength(3);
      expect(lean.requests).toHaveLength(3);
      expect(errorEssentials(lean.result.error)).toEqual(errorEssentials(sdk.result.error));
      expect(errorEssentials(lean.result.error).attempts).toBe(3);
    });

    it('maxAttempts is honoured the same way', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0);
      const c = suite.cases[0]!;
      const answers = [suite.throttle, suite.throttle, suite.throttle];
      const { sdk, lean } = await differential(server, answers, (s) => send(s, c, { maxAttempts: 2 }));
      expect(sdk.requests).toHaveLength(2);
      expect(lean.requests).toHaveLength(2);
      if (sdk.result.ok || lean.result.ok) throw new Error('expected both to fail');
      expect(errorEssentials(lean.result.error)).toEqual(errorEssentials(sdk.result.error));
    });

    it(`without an endpoint: ${suite.endpointEnv} is used, as the SDK does`, async () => {
      const before = process.env[suite.endpointEnv];
      process.env[suite.endpointEnv] = server.url;
      try {
        const c = suite.cases[0]!;
        const run = (which: 'sdk' | 'lean') => {
          const mod = side(which);
          const x = client(mod, suite.clientName, { region: suite.region, credentials: TEST_CREDENTIALS });
          return x.send(command(mod, c.operation, c.input)).finally(() => x.destroy());
        };
        const { sdk, lean } = await differential(server, [{ status: 200, body: c.answer }], run);
        expect(sdk.requests).toHaveLength(1);
        expect(lean.requests).toHaveLength(1);
        expect(essentials(lean.requests[0]!)).toEqual(essentials(sdk.requests[0]!));
      } finally {
        if (before === undefined) delete process.env[suite.endpointEnv];
        else process.env[suite.endpointEnv] = before;
      }
    });
  });
}
