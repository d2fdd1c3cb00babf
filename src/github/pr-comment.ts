/**
 * The sticky pull-request comment (`check --pr-comment`), as size-limit-action keeps one: the first
 * run creates an issue comment holding a hidden marker, every later run finds that comment by its
 * marker and edits it in place, so a pull request carries one current report per image.
 *
 * Three REST calls (https://docs.github.com/en/rest/issues/comments):
 *   GET   /repos/{owner}/{repo}/issues/{issue_number}/comments   (paged by the Link header)
 *   POST  /repos/{owner}/{repo}/issues/{issue_number}/comments   {"body": …}
 *   PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}     {"body": …}
 * The pull request comes from the event payload (`$GITHUB_EVENT_PATH`), the API from `$GITHUB_API_URL`
 * (GitHub Enterprise, and the tests' local server), the token from `$GITHUB_TOKEN`.
 */
import { readFileSync } from 'node:fs';
import got, { HTTPError, RequestError } from 'got';
import { ErrorCode, ExitCode, LayerdeltaError, UsageError } from '../errors.js';
import { trimMarkdown } from '../report/github.js';

/** GitHub's limit on a comment body, in characters (bytes bound it from above). */
export const COMMENT_LIMIT = 65_536;

/** Pages of 100 comments read at most while looking for our marker. */
const MAX_PAGES = 30;

export interface PullRequest {
  apiUrl: string;
  owner: string;
  repo: string;
  number: number;
  token: string;
}

/**
 * The pull request this workflow run is for, or undefined when the event is not about one (a push to
 * a branch): then there is nothing to comment on, and that is not an error.
 */
export function pullRequestFromEnv(env: NodeJS.ProcessEnv = process.env): PullRequest | undefined {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo, ...rest] = repository.split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new UsageError(`--pr-comment: GITHUB_REPOSITORY ${JSON.stringify(repository)} is not owner/repo`, {
      hint: 'run under GitHub Actions, which sets it',
    });
  }
  if (!env.GITHUB_EVENT_PATH) {
    throw new UsageError('--pr-comment: GITHUB_EVENT_PATH is not set', {
      hint: 'run under GitHub Actions, which sets it',
    });
  }
  let event: { pull_request?: { number?: unknown } };
  try {
    event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as typeof event;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`--pr-comment: cannot read the event payload ${env.GITHUB_EVENT_PATH}: ${reason}`);
  }
  const number = event.pull_request?.number;
  if (typeof number !== 'number') return undefined;
  const token = env.GITHUB_TOKEN;
  if (!token) {
    throw new UsageError('--pr-comment needs GITHUB_TOKEN', {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, shown as is
      hint: 'env: GITHUB_TOKEN: ${{ github.token }}, with permissions: pull-requests: write',
    });
  }
  const apiUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  return { apiUrl, owner, repo, number, token };
}

/** The hidden line that finds our comment again; one per image repository, so several checks coexist. */
export function commentMarker(repository: string): string {
  return `<!-- layerdelta-report ${repository.replace(/--+>?/g, '-')} -->`;
}

export function commentBody(marker: string, markdown: string): string {
  return `${marker}\n${trimMarkdown(markdown, COMMENT_LIMIT - marker.length - 1, 'a pull-request comment')}`;
}

interface IssueComment {
  id: number;
  body?: string;
  html_url?: string;
}

function failure(what: string, error: unknown): LayerdeltaError {
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const hint =
      status === 401
        ? 'GITHUB_TOKEN was refused'
        : status === 403 || status === 404
          ? 'the token needs permissions: pull-requests: write (pull requests from forks get a read-only token)'
          : 'GitHub answered with an error; the report itself was written';
    const code = status === 401 || status === 403 ? ErrorCode.UNAUTHORIZED : ErrorCode.UNEXPECTED_RESPONSE;
    return new LayerdeltaError(`--pr-comment: ${what}: HTTP ${status}`, ExitCode.registry, code, {
      hint,
      cause: error,
    });
  }
  const code = error instanceof RequestError ? (error.code ?? error.message) : String(error);
  return new LayerdeltaError(`--pr-comment: ${what}: ${code}`, ExitCode.registry, ErrorCode.NETWORK, {
    hint: 'check GITHUB_API_URL and the network',
    cause: error,
  });
}

/** The next page's URL from a Link header (`<url>; rel="next"`), if any. */
export function nextLink(link: string | undefined): string | undefined {
  for (const part of (link ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return undefined;
}

/** Create the comment, or update the one that holds `marker`. */
export async function upsertComment(
  pr: PullRequest,
  marker: string,
  body: string,
  options: { timeoutMs?: number } = {},
): Promise<{ action: 'created' | 'updated'; id: number; url?: string }> {
  const client = got.extend({
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${pr.token}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'layerdelta',
    },
    timeout: { request: options.timeoutMs ?? 30_000 },
    retry: { limit: 2 },
  });
  const base = `${pr.apiUrl}/repos/${encodeURIComponent(pr.owner)}/${encodeURIComponent(pr.repo)}/issues`;
  const where = `pull request #${pr.number} of ${pr.owner}/${pr.repo}`;

  let existing: IssueComment | undefined;
  let url: string | undefined = `${base}/${pr.number}/comments?per_page=100`;
  for (let page = 0; url && page < MAX_PAGES && !existing; page++) {
    let response: { body: IssueComment[]; headers: Record<string, string | string[] | undefined> };
    try {
      response = await client.get<IssueComment[]>(url, { responseType: 'json' });
    } catch (error) {
      throw failure(`listing the comments of ${where}`, error);
    }
    existing = response.body.find((c) => typeof c.body === 'string' && c.body.includes(marker));
    const link = response.headers.link;
    url = nextLink(Array.isArray(link) ? link.join(',') : link);
  }

  try {
    if (existing) {
      const updated = await client
        .patch(`${base}/comments/${existing.id}`, { json: { body } })
        .json<IssueComment>();
      return { action: 'updated', id: updated.id, ...(updated.html_url ? { url: updated.html_url } : {}) };
    }
    const created = await client
      .post(`${base}/${pr.number}/comments`, { json: { body } })
      .json<IssueComment>();
    return { action: 'created', id: created.id, ...(created.html_url ? { url: created.html_url } : {}) };
  } catch (error) {
    throw failure(`${existing ? 'updating' : 'creating'} the comment on ${where}`, error);
  }
}
