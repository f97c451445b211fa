import { Readable } from 'node:stream';
import type { HttpRequest } from '@smithy/core/transport';
import type { RequestHandler } from '../lambdas/adapters/aws/roles-anywhere.js';

export interface FakeResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Serialised as JSON text, as the service sends it. */
  readonly body?: unknown;
}

export type Route = (query: Record<string, string>) => FakeResponse;

/**
 * An SDK-shaped HTTP handler answering Roles Anywhere's REST paths with JSON bodies as the API
 * returns them (restJson1: timestamps as epoch seconds, camelCase members, `nextToken` to page),
 * recording every signed request it receives.
 */
export class FakeRolesAnywhereHandler implements RequestHandler {
  readonly requests: HttpRequest[] = [];
  routes: Record<string, Route> = {};

  handle(request: HttpRequest) {
    this.requests.push(request);
    const route = this.routes[request.path];
    const answer: FakeResponse = route
      ? route((request.query ?? {}) as Record<string, string>)
      : {
          status: 404,
          headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
          body: { message: 'no route' },
        };
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    return Promise.resolve({
      response: {
        statusCode: answer.status,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1', ...answer.headers },
        body: Readable.from([Buffer.from(text)]),
      },
    });
  }

  /** The query of each request sent to `path`. */
  queries(path: string): Record<string, string>[] {
    return this.requests
      .filter((r) => r.path === path)
      .map((r) => ({ ...(r.query as Record<string, string>) }));
  }
}

export const TEST_CREDENTIALS = () =>
  Promise.resolve({
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  });
