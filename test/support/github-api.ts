/**
 * A local server speaking the three GitHub REST calls of the sticky pull-request comment, at the wire,
 * with the request and response shapes of https://docs.github.com/en/rest/issues/comments (2022-11-28):
 * list issue comments (paged: `per_page`, `page`, a `Link` header with rel="next"), create one (201),
 * update one (200). Requests that break the documented contract answer 4xx and are recorded as
 * violations, so a test fails on them even when the tool copes.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface IssueComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: { login: string; id: number; type: 'User' | 'Bot' };
  created_at: string;
  updated_at: string;
  author_association: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body?: unknown;
}

export interface FakeGitHub {
  url: string;
  token: string;
  /** Comments per issue number, in creation order. */
  comments: Map<number, IssueComment[]>;
  requests: RecordedRequest[];
  violations: string[];
  /** Answer every request with this status instead (e.g. 403), when set. */
  failWith: number | undefined;
  addComment(issue: number, body: string, user?: string): IssueComment;
  close(): Promise<void>;
}

export async function startFakeGitHub(
  owner: string,
  repo: string,
  token = 'ghs_test-token',
): Promise<FakeGitHub> {
  let nextId = 1000;
  let base = '';
  const state: FakeGitHub = {
    url: '',
    token,
    comments: new Map(),
    requests: [],
    violations: [],
    failWith: undefined,
    addComment(issue, body, user = 'someone') {
      const id = nextId++;
      const now = new Date().toISOString();
      const comment: IssueComment = {
        id,
        node_id: `IC_${id}`,
        url: `${base}/repos/${owner}/${repo}/issues/comments/${id}`,
        html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
        issue_url: `${base}/repos/${owner}/${repo}/issues/${issue}`,
        body,
        user: { login: user, id: 1, type: user.endsWith('[bot]') ? 'Bot' : 'User' },
        created_at: now,
        updated_at: now,
        author_association: 'NONE',
      };
      const list = state.comments.get(issue) ?? [];
      list.push(comment);
      state.comments.set(issue, list);
      return comment;
    },
    close: async () => {},
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(payload));
      };
      const violation = (text: string, status = 422) => {
        state.violations.push(`${req.method} ${url.pathname}: ${text}`);
        send(status, { message: text, documentation_url: 'https://docs.github.com/rest' });
      };
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return violation('body is not JSON', 400);
      }
      state.requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        headers: req.headers,
        body,
      });
      if (state.failWith) return send(state.failWith, { message: 'Resource not accessible by integration' });
      if (req.headers.authorization !== `Bearer ${token}`) return violation('bad credentials', 401);
      if (!/^application\/vnd\.github(\.[\w-]+)?(\+json)?$/.test(req.headers.accept ?? '')) {
        return violation(`Accept ${req.headers.accept} is not application/vnd.github+json`, 415);
      }
      if (!req.headers['user-agent']) return violation('no User-Agent (GitHub refuses such requests)', 403);
      const prefix = `/repos/${owner}/${repo}/issues`;
      const list = /^\/(\d+)\/comments$/.exec(url.pathname.slice(prefix.length));
      const one = /^\/comments\/(\d+)$/.exec(url.pathname.slice(prefix.length));
      if (!url.pathname.startsWith(prefix)) return send(404, { message: 'Not Found' });
      const bodyField = (): string | undefined => {
        const b = body as Record<string, unknown> | undefined;
        if (!b || typeof b !== 'object' || typeof b.body !== 'string') return undefined;
        const extra = Object.keys(b).filter((k) => k !== 'body');
        if (extra.length) state.violations.push(`${req.method} ${url.pathname}: unknown fields ${extra}`);
        if (b.body.length > 65_536)
          state.violations.push(`${req.method} ${url.pathname}: body over 65536 chars`);
        return b.body;
      };
      if (list && req.method === 'GET') {
        const issue = Number(list[1]);
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const all = state.comments.get(issue) ?? [];
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          const next = new URL(url.href);
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${next.href}>; rel="next"`;
        }
        return send(200, slice, headers);
      }
      if (list && req.method === 'POST') {
        const text = bodyField();
        if (text === undefined) return violation('"body" is a required string');
        return send(201, state.addComment(Number(list[1]), text, 'github-actions[bot]'));
      }
      if (one && req.method === 'PATCH') {
        const text = bodyField();
        if (text === undefined) return violation('"body" is a required string');
        const comment = [...state.comments.values()].flat().find((c) => c.id === Number(one[1]));
        if (!comment) return send(404, { message: 'Not Found' });
        comment.body = text;
        comment.updated_at = new Date().toISOString();
        return send(200, comment);
      }
      return send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
  state.url = base;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
