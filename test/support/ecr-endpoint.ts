/**
 * A local HTTP endpoint that speaks the ECR wire protocol (AWS JSON 1.1, `X-Amz-Target:
 * AmazonEC2ContainerRegistry_V20150921.<Operation>`), so the real AWS SDK is exercised end to end.
 * Only AWS is faked in this project, and only here, at the wire.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEcrImage {
  tags: string[];
  digest: string;
  pushedAt: Date;
}

export interface FakeEcrState {
  repositories: Record<string, FakeEcrImage[]>;
  /** Items per page, to exercise the SDK's paginators. */
  pageSize?: number;
  /** Authorization token lifetime for GetAuthorizationToken. */
  tokenLifetimeSeconds?: number;
  username?: string;
  password?: string;
}

export interface FakeEcr {
  endpoint: string;
  /** Operations received, in order (e.g. `DescribeRepositories`). */
  calls: string[];
  stop(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function page<T>(items: T[], token: unknown, size: number): { items: T[]; nextToken?: string } {
  const start = typeof token === 'string' ? Number(token) : 0;
  const end = start + size;
  return end < items.length
    ? { items: items.slice(start, end), nextToken: String(end) }
    : { items: items.slice(start) };
}

export async function startFakeEcr(state: FakeEcrState): Promise<FakeEcr> {
  const calls: string[] = [];
  const size = state.pageSize ?? 1000;
  const server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.split('.').pop() ?? '';
    calls.push(operation);
    const body = await readJson(req);
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(payload));
    };
    const accountId = String(body.registryId ?? '123456789012');
    switch (operation) {
      case 'DescribeRepositories': {
        const names = Object.keys(state.repositories).sort();
        const p = page(names, body.nextToken, size);
        return reply(200, {
          repositories: p.items.map((repositoryName) => ({ repositoryName, registryId: accountId })),
          ...(p.nextToken ? { nextToken: p.nextToken } : {}),
        });
      }
      case 'DescribeImages': {
        const images = state.repositories[String(body.repositoryName)];
        if (!images) {
          return reply(400, {
            __type: 'RepositoryNotFoundException',
            message: `The repository with name '${String(body.repositoryName)}' does not exist`,
          });
        }
        const p = page(images, body.nextToken, size);
        return reply(200, {
          imageDetails: p.items.map((i) => ({
            imageTags: i.tags,
            imageDigest: i.digest,
            imagePushedAt: i.pushedAt.getTime() / 1000,
            repositoryName: body.repositoryName,
            registryId: accountId,
          })),
          ...(p.nextToken ? { nextToken: p.nextToken } : {}),
        });
      }
      case 'GetAuthorizationToken': {
        const token = Buffer.from(`${state.username ?? 'AWS'}:${state.password ?? 'ecr-secret'}`).toString(
          'base64',
        );
        const expiresAt = Date.now() / 1000 + (state.tokenLifetimeSeconds ?? 43200);
        return reply(200, {
          authorizationData: [
            {
              authorizationToken: token,
              expiresAt,
              proxyEndpoint: `https://${accountId}.dkr.ecr.us-east-1.amazonaws.com`,
            },
          ],
        });
      }
      default:
        return reply(400, { __type: 'UnknownOperationException', message: `unsupported: ${operation}` });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
