import type { JiraConfig } from '../../core/config.js';
import { isAlerting } from '../../core/reconcile.js';
import { atLeast } from '../../core/severity.js';
import type { TicketRefs } from '../../core/ticket-refs.js';
import type { Transition } from '../../core/transitions.js';
import {
  findingLabel,
  issueDescription,
  issueSummary,
  priorityName,
  transitionComment,
  type AdfDoc,
} from './document.js';
import { createJiraHttp, JiraRequestError, type JiraHttp, type JiraHttpOptions } from './http.js';

/**
 * The Jira Cloud channel: one issue per finding, never one per run (docs/tickets.md).
 *
 * - opened (≥ minSeverity): create the issue, labelled `trustwatch` and `trustwatch-<finding id>`,
 *   and store its key (TicketRefs). When no key is stored, the label is searched first, so a retry
 *   after a crash between create and store finds the issue instead of creating a second one; a
 *   `pending:` marker written before the create keeps a retry from trusting a search that has not
 *   indexed the new issue yet (JQL search is eventually consistent).
 * - regressed / suppression-expired: reopen the same issue (when it is in a done status) and comment.
 * - resolved: transition it with `resolveTransition` (when not done yet) and comment who fixed it.
 * - escalated: update priority and summary, and comment.
 * State changes come before comments and are skipped when the issue is already there, so a
 * transition retried after a partial failure neither transitions twice nor needs to.
 * Below minSeverity nothing is created, but a finding that already has an issue keeps it current.
 *
 * Endpoints (Jira Cloud platform REST API v3): POST /issue, PUT /issue/{key}, GET /issue/{key}?fields=status,
 * POST /issue/{key}/comment, GET and POST /issue/{key}/transitions, GET /search/jql (the enhanced JQL
 * search that replaced /rest/api/3/search, removed in 2025: Atlassian changelog CHANGE-2046).
 */
export interface JiraChannelOptions {
  readonly config: JiraConfig;
  readonly refs: TicketRefs;
  readonly credentials: JiraHttpOptions['credentials'];
  /** HTTP tuning and test seams (timeout, retries, fetch, sleep). */
  readonly http?: Omit<JiraHttpOptions, 'site' | 'credentials'>;
  /** Time left in the invocation; no transition starts with less than `reserveMs` left. */
  readonly remainingTimeMs?: () => number;
  /** Default: three request timeouts. */
  readonly reserveMs?: number;
  /** Called when Jira answers 401, so a rotated token is read again on the next delivery. */
  readonly invalidateCredentials?: () => void;
  /**
   * How long after a create that may have reached Jira (its key not stored) a label search that finds
   * nothing is not trusted, so the transition is retried later instead of creating. Default 10 minutes.
   */
  readonly pendingWindowMs?: number;
  /** Epoch ms (tests). Default Date.now. */
  readonly now?: () => number;
}

/**
 * TicketRefs values besides issue keys: `pending:<ISO time>` is written just before a create (a crash
 * or lost response leaves it), `none` after a create Jira definitely refused.
 */
export const PENDING = 'pending:';
export const NO_ISSUE = 'none';

export interface JiraChannel {
  readonly name: 'jira';
  send(transitions: Transition[]): Promise<void>;
}

/** Not every transition reached Jira. `delivered` were handled before the failure (the outbox marks them sent). */
export class JiraDeliveryError extends Error {
  constructor(
    message: string,
    readonly delivered: readonly Transition[],
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JiraDeliveryError';
  }
}

/** The workflow cannot do what the config asks (no such transition): a person must fix the config or workflow. */
export class JiraWorkflowError extends JiraRequestError {
  constructor(message: string) {
    super(message, false);
    this.name = 'JiraWorkflowError';
  }
}

interface IssueStatus {
  readonly name: string;
  /** Status category key: "new", "indeterminate" or "done". */
  readonly category: string;
}

interface WorkflowTransition {
  readonly id: string;
  readonly name: string;
  readonly to?: { readonly name?: string; readonly statusCategory?: { readonly key?: string } };
}

const enc = encodeURIComponent;
const jqlString = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export function createJiraChannel(options: JiraChannelOptions): JiraChannel {
  const { config, refs } = options;
  const http: JiraHttp = createJiraHttp({
    ...options.http,
    site: config.site,
    credentials: options.credentials,
  });
  const timeoutMs = options.http?.timeoutMs ?? 8_000;
  const reserveMs = options.reserveMs ?? 3 * timeoutMs;
  const pendingWindowMs = options.pendingWindowMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;

  /** The oldest issue of the project carrying the finding's label (JQL search is eventually consistent). */
  async function findByLabel(findingId: string): Promise<string | undefined> {
    const jql = `project = ${jqlString(config.project)} AND labels = ${jqlString(findingLabel(findingId))} ORDER BY created ASC`;
    const { json } = await http({
      method: 'GET',
      path: `/rest/api/3/search/jql?jql=${enc(jql)}&fields=status&maxResults=1`,
    });
    const issues = (json as { issues?: { key?: unknown }[] } | undefined)?.issues;
    const key = Array.isArray(issues) ? issues[0]?.key : undefined;
    return typeof key === 'string' ? key : undefined;
  }

  async function create(t: Transition): Promise<string> {
    const { finding } = t;
    const { json } = await http({
      method: 'POST',
      path: '/rest/api/3/issue',
      body: {
        fields: {
          project: { key: config.project },
          issuetype: { name: config.issueType },
          summary: issueSummary(finding),
          description: issueDescription(t),
          labels: ['trustwatch', findingLabel(finding.id)],
          ...(config.setPriority ? { priority: { name: priorityName(finding.severity) } } : {}),
        },
      },
    });
    const key = (json as { key?: unknown } | undefined)?.key;
    if (typeof key !== 'string')
      throw new JiraRequestError('Jira created an issue but returned no key', true);
    return key;
  }

  /** The issue's status, or undefined when the issue no longer exists (deleted, or moved out of reach). */
  async function statusOf(key: string): Promise<IssueStatus | undefined> {
    try {
      const { json } = await http({ method: 'GET', path: `/rest/api/3/issue/${enc(key)}?fields=status` });
      const status = (json as { fields?: { status?: { name?: string; statusCategory?: { key?: string } } } })
        ?.fields?.status;
      return { name: status?.name ?? '', category: status?.statusCategory?.key ?? '' };
    } catch (error) {
      if (error instanceof JiraRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  async function comment(key: string, body: AdfDoc): Promise<void> {
    await http({ method: 'POST', path: `/rest/api/3/issue/${enc(key)}/comment`, body: { body } });
  }

  /** Moves the issue with the named transition, or (no name) the first one into a To Do-category status. */
  async function transition(key: string, name: string | undefined, purpose: string): Promise<void> {
    const { json } = await http({ method: 'GET', path: `/rest/api/3/issue/${enc(key)}/transitions` });
    const available = (
      (json as { transitions?: WorkflowTransition[] } | undefined)?.transitions ?? []
    ).filter((x) => typeof x?.id === 'string');
    const wanted = name?.trim().toLowerCase();
    const match = wanted
      ? available.find((x) => x.name.trim().toLowerCase() === wanted)
      : available.find((x) => x.to?.statusCategory?.key === 'new');
    if (!match) {
      const names = available.map((x) => `"${x.name}"`).join(', ') || 'none';
      throw new JiraWorkflowError(
        `Jira issue ${key} offers no ${name ? `transition "${name}"` : 'transition to a To Do status'} to ${purpose} it (available: ${names}); set alerts.jira.${purpose === 'resolve' ? 'resolveTransition' : 'reopenTransition'} to one of them`,
      );
    }
    await http({
      method: 'POST',
      path: `/rest/api/3/issue/${enc(key)}/transitions`,
      body: { transition: { id: match.id } },
    });
  }

  /** The finding's issue: the stored key, else (when it may have one) the label search, remembered. */
  async function issueOf(t: Transition, search: boolean): Promise<string | undefined> {
    const id = t.finding.id;
    const stored = await refs.get(id);
    const pendingSince = stored?.startsWith(PENDING) ? Date.parse(stored.slice(PENDING.length)) : undefined;
    if (stored && stored !== NO_ISSUE && pendingSince === undefined) return stored;
    if (!search && pendingSince === undefined) return undefined;
    const found = await findByLabel(id);
    if (found) {
      await refs.put(id, found);
      return found;
    }
    // A create may have reached Jira without its key being stored; JQL search is eventually
    // consistent, so "not found" is trusted only once the create is old enough to be indexed.
    if (pendingSince !== undefined && now() - pendingSince < pendingWindowMs) {
      throw new JiraRequestError(
        `an issue for finding ${id} may have been created at ${stored!.slice(PENDING.length)} and is not searchable yet; retrying later rather than risking a duplicate`,
        true,
      );
    }
    return undefined;
  }

  async function openIssue(t: Transition): Promise<void> {
    const id = t.finding.id;
    await refs.put(id, `${PENDING}${new Date(now()).toISOString()}`);
    let key: string;
    try {
      key = await create(t);
    } catch (error) {
      // A definite refusal (400, 401, 403, 404) created nothing: no need to wait for the search next time.
      if (error instanceof JiraRequestError && error.status !== undefined && !error.retryable)
        await refs.put(id, NO_ISSUE).catch(() => undefined);
      throw error;
    }
    await refs.put(id, key);
  }

  async function deliver(t: Transition): Promise<void> {
    if (!isAlerting(t)) return;
    const ticketable = atLeast(t.finding.severity, config.minSeverity);
    const key = await issueOf(t, ticketable);
    const status = key ? await statusOf(key) : undefined;
    if (!key || !status) {
      // No issue (or it was deleted): only a live problem at or above the threshold gets one.
      if (ticketable && t.kind !== 'resolved') await openIssue(t);
      return;
    }
    switch (t.kind) {
      case 'opened':
        return; // A re-delivery: the issue exists.
      case 'regressed':
      case 'suppression-expired':
        if (status.category === 'done') await transition(key, config.reopenTransition, 'reopen');
        return comment(key, transitionComment(t));
      case 'resolved':
        if (status.category !== 'done') await transition(key, config.resolveTransition, 'resolve');
        return comment(key, transitionComment(t));
      case 'escalated':
        await http({
          method: 'PUT',
          path: `/rest/api/3/issue/${enc(key)}`,
          body: {
            fields: {
              summary: issueSummary(t.finding),
              ...(config.setPriority ? { priority: { name: priorityName(t.finding.severity) } } : {}),
            },
          },
        });
        if (status.category === 'done') await transition(key, config.reopenTransition, 'reopen');
        return comment(key, transitionComment(t));
      default:
        return;
    }
  }

  return {
    name: 'jira',
    async send(transitions) {
      const delivered: Transition[] = [];
      for (const t of transitions) {
        if (options.remainingTimeMs && options.remainingTimeMs() < reserveMs) {
          throw new JiraDeliveryError(
            `Jira: no time left in this invocation; ${transitions.length - delivered.length} transitions left for the next delivery`,
            delivered,
            true,
          );
        }
        try {
          await deliver(t);
        } catch (error) {
          const retryable = error instanceof JiraRequestError ? error.retryable : true;
          const status = error instanceof JiraRequestError ? error.status : undefined;
          if (status === 401) options.invalidateCredentials?.();
          const reason = error instanceof Error ? error.message : String(error);
          throw new JiraDeliveryError(
            `Jira: ${t.kind} of finding ${t.finding.id} not delivered: ${reason}`,
            delivered,
            retryable,
            status,
            { cause: error },
          );
        }
        delivered.push(t);
      }
    },
  };
}
