import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Jira Cloud emulator on a loopback port, for the endpoints the Jira channel calls, answering with
 * the documented response shapes (Jira Cloud platform REST API v3):
 * - POST /rest/api/3/issue → 201 {id, key, self}
 * - GET /rest/api/3/issue/{key}?fields=status → 200 {id, key, fields: {status: {name, statusCategory: {key}}}}
 * - PUT /rest/api/3/issue/{key} → 204
 * - POST /rest/api/3/issue/{key}/comment → 201 {id, body, …}
 * - GET /rest/api/3/issue/{key}/transitions → 200 {transitions: [{id, name, to: {name, statusCategory}}]}
 * - POST /rest/api/3/issue/{key}/transitions → 204
 * - GET /rest/api/3/search/jql?jql=…&fields=…&maxResults=… → 200 {issues: [{id, key, fields}], isLast}
 *   (no nextPageToken on the last page, as Jira Cloud does: JRACLOUD-92184)
 * - errors as ErrorCollection {errorMessages: [...], errors: {...}}; 401 without valid Basic auth.
 * The workflow is Jira's simplified one: To Do (new), In Progress (indeterminate), Done (done), with
 * a global transition into each status named after it.
 */
export interface EmulatedIssue {
  readonly id: string;
  readonly key: string;
  fields: {
    summary: string;
    labels: string[];
    issuetype: string;
    priority?: string;
    description: unknown;
    status: string;
  };
  comments: unknown[];
  transitions: string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly authorization?: string;
}

export type Fault =
  | { readonly status: number; readonly retryAfter?: string; readonly body?: unknown }
  /** Never answer (the client times out). */
  | { readonly hang: true }
  /** Do the work, then answer 500 (e.g. an issue created but the response lost). */
  | { readonly afterWork: number };

const STATUSES: Record<string, { id: string; category: string }> = {
  'To Do': { id: '10000', category: 'new' },
  'In Progress': { id: '3', category: 'indeterminate' },
  Done: { id: '10001', category: 'done' },
};
const TRANSITIONS = [
  { id: '11', name: 'To Do', to: 'To Do' },
  { id: '21', name: 'In Progress', to: 'In Progress' },
  { id: '31', name: 'Done', to: 'Done' },
];
const statusJson = (name: string) => {
  const s = STATUSES[name] ?? { id: '0', category: 'undefined' };
  return { name, id: s.id, statusCategory: { key: s.category, name, id: 1 } };
};

export interface JiraEmulator {
  readonly site: string;
  readonly issues: Map<string, EmulatedIssue>;
  readonly requests: RecordedRequest[];
  /** Faults for the next requests matching `METHOD path-prefix`, consumed in order. */
  fail(route: string, ...faults: Fault[]): void;
  /** Issues created after this are invisible to search (JQL search is eventually consistent). */
  hideFromSearch(hidden: boolean): void;
  close(): Promise<void>;
}

export async function startJiraEmulator(
  options: { email?: string; apiToken?: string; project?: string } = {},
): Promise<JiraEmulator> {
  const email = options.email ?? 'bot@example.com';
  const apiToken = options.apiToken ?? 'secret-token-123';
  const project = options.project ?? 'SEC';
  const expectedAuth = `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
  const issues = new Map<string, EmulatedIssue>();
  const requests: RecordedRequest[] = [];
  const faults: { route: string; fault: Fault }[] = [];
  const unsearchable = new Set<string>();
  let hide = false;
  let next = 1;
  const hanging = new Set<ServerResponse>();

  const send = (
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const notFound = (res: ServerResponse) =>
    send(res, 404, {
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    });

  function handle(method: string, url: URL, body: unknown, res: ServerResponse): void {
    const path = url.pathname;
    if (method === 'POST' && path === '/rest/api/3/issue') {
      const fields = (body as { fields?: Record<string, unknown> })?.fields ?? {};
      const projectKey = (fields.project as { key?: string } | undefined)?.key;
      if (projectKey !== project)
        return send(res, 400, { errorMessages: [], errors: { project: 'valid project is required' } });
      if (typeof fields.summary !== 'string' || !fields.summary)
        return send(res, 400, {
          errorMessages: [],
          errors: { summary: 'You must specify a summary of the issue.' },
        });
      const id = String(10000 + next);
      const key = `${project}-${next++}`;
      issues.set(key, {
        id,
        key,
        fields: {
          summary: fields.summary,
          labels: (fields.labels as string[] | undefined) ?? [],
          issuetype: (fields.issuetype as { name: string }).name,
          priority: (fields.priority as { name?: string } | undefined)?.name,
          description: fields.description,
          status: 'To Do',
        },
        comments: [],
        transitions: [],
      });
      if (hide) unsearchable.add(key);
      return send(res, 201, { id, key, self: `http://jira.invalid/rest/api/3/issue/${id}` });
    }
    if (method === 'GET' && path === '/rest/api/3/search/jql') {
      const jql = url.searchParams.get('jql') ?? '';
      const m = /^project = "([^"]+)" AND labels = "([^"]+)"(?: ORDER BY created ASC)?$/.exec(jql);
      if (!m) return send(res, 400, { errorMessages: [`Error in the JQL Query: ${jql}`], errors: {} });
      const max = Number(url.searchParams.get('maxResults') ?? 50);
      const found = [...issues.values()]
        .filter(
          (i) => i.key.startsWith(`${m[1]}-`) && i.fields.labels.includes(m[2]!) && !unsearchable.has(i.key),
        )
        .slice(0, max);
      return send(res, 200, {
        issues: found.map((i) => ({ id: i.id, key: i.key, fields: { status: statusJson(i.fields.status) } })),
        isLast: true,
      });
    }
    const issuePath = /^\/rest\/api\/3\/issue\/([^/]+)(\/comment|\/transitions)?$/.exec(path);
    if (issuePath) {
      const issue = issues.get(decodeURIComponent(issuePath[1]!));
      if (!issue) return notFound(res);
      const sub = issuePath[2];
      if (!sub && method === 'GET')
        return send(res, 200, {
          id: issue.id,
          key: issue.key,
          fields: { status: statusJson(issue.fields.status) },
        });
      if (!sub && method === 'PUT') {
        const fields = (body as { fields?: Record<string, unknown> })?.fields ?? {};
        if (typeof fields.summary === 'string') issue.fields.summary = fields.summary;
        const priority = (fields.priority as { name?: string } | undefined)?.name;
        if (priority) issue.fields.priority = priority;
        return send(res, 204);
      }
      if (sub === '/comment' && method === 'POST') {
        const commentBody = (body as { body?: { type?: string } })?.body;
        if (commentBody?.type !== 'doc')
          return send(res, 400, { errorMessages: ['Comment body is not valid!'], errors: {} });
        issue.comments.push(commentBody);
        return send(res, 201, { id: String(issue.comments.length), body: commentBody });
      }
      if (sub === '/transitions' && method === 'GET')
        return send(res, 200, {
          expand: 'transitions',
          transitions: TRANSITIONS.filter((t) => t.to !== issue.fields.status).map((t) => ({
            id: t.id,
            name: t.name,
            hasScreen: false,
            isGlobal: true,
            to: statusJson(t.to),
          })),
        });
      if (sub === '/transitions' && method === 'POST') {
        const id = (body as { transition?: { id?: string } })?.transition?.id;
        const t = TRANSITIONS.find((x) => x.id === id && x.to !== issue.fields.status);
        if (!t)
          return send(res, 400, {
            errorMessages: [`Transition id '${id}' is not valid for this issue.`],
            errors: {},
          });
        issue.fields.status = t.to;
        issue.transitions.push(t.name);
        return send(res, 204);
      }
    }
    send(res, 404, { errorMessages: [`no route ${method} ${path}`], errors: {} });
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const method = req.method ?? 'GET';
      requests.push({
        method,
        path: `${url.pathname}${url.search}`,
        body,
        authorization: req.headers.authorization,
      });
      if (req.headers.authorization !== expectedAuth)
        return send(res, 401, {
          errorMessages: ['Client must be authenticated to access this resource.'],
          errors: {},
        });
      const at = faults.findIndex((f) => `${method} ${url.pathname}`.startsWith(f.route));
      if (at >= 0) {
        const [{ fault }] = faults.splice(at, 1) as [{ route: string; fault: Fault }];
        if ('hang' in fault) {
          hanging.add(res);
          return;
        }
        if ('afterWork' in fault) {
          handle(method, url, body, {
            writeHead: () => undefined,
            end: () => send(res, fault.afterWork, { errorMessages: ['Internal server error'], errors: {} }),
          } as unknown as ServerResponse);
          return;
        }
        return send(
          res,
          fault.status,
          fault.body ?? { errorMessages: [`emulated HTTP ${fault.status}`], errors: {} },
          fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
        );
      }
      handle(method, url, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    site: `http://127.0.0.1:${port}`,
    issues,
    requests,
    fail: (route, ...list) => faults.push(...list.map((fault) => ({ route, fault }))),
    hideFromSearch: (hidden) => {
      hide = hidden;
      if (!hidden) unsearchable.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
