/**
 * One RegistryClient per registry per run (docs/design.md §7): a scan over a token-auth registry asks
 * the token issuer once per scope, however many tags and images it reads. Counted at the issuer.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoCache } from '../../src/cache/layer-cache.js';
import { compareImages } from '../../src/pipeline/compare.js';
import { staticCredentialStore } from '../../src/registry/auth/credentials.js';
import { runScan } from '../../src/registry-scan/run.js';
import { pushImage, sha256, startRegistry, type TestRegistry, tarLayer } from '../support/registry.js';

const REPOSITORIES = ['team/api', 'team/web', 'tools/cli'];
const TAGS = ['1.0.0', '1.1.0', '1.2.0'];

describe('a scan over a token-auth registry', () => {
  let registry: TestRegistry;
  let credentials: ReturnType<typeof staticCredentialStore>;
  /** Token requests (scope) from `from` on, counted at the issuer. */
  const scopesSince = (from: number) => registry.tokenServer!.requests.slice(from).map((r) => r.scope);

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token' });
    credentials = staticCredentialStore({
      [registry.host]: { username: registry.username!, password: registry.password! },
    });
    const base = await tarLayer({ 'etc/base': 'base' });
    for (const repository of REPOSITORIES) {
      for (const [i, tag] of TAGS.entries()) {
        const app = await tarLayer({ 'app/version': `${repository} ${tag}` });
        const created = `2025-0${i + 1}-01T00:00:00Z`;
        await pushImage(registry, repository, tag, {
          layers: [base, app],
          config: {
            os: 'linux',
            architecture: 'amd64',
            created,
            config: {},
            rootfs: { type: 'layers', diff_ids: [base, app].map((l) => sha256(gunzipSync(l))) },
          },
        });
      }
    }
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it('fetches one token per scope (the catalog, then each repository), with --pair created', async () => {
    const before = registry.tokenServer!.requests.length;
    const report = await runScan({
      registry: registry.host,
      credentials,
      pair: 'created',
      cache: new NoCache(),
      concurrency: 3,
    });
    expect(report.repositories.map((r) => [r.repository, r.status])).toEqual(
      REPOSITORIES.map((name) => [name, 'compared']),
    );
    const scopes = scopesSince(before);
    // Every tag's manifest and config, the pair's layers, and the pick: all under one token per scope.
    expect(scopes.sort()).toEqual(
      ['registry:catalog:*', ...REPOSITORIES.map((name) => `repository:${name}:pull`)].sort(),
    );
    expect(registry.tokenServer!.requests.slice(before).every((r) => r.status === 200)).toBe(true);
  });

  it('compare reads both images of a repository under one token', async () => {
    const before = registry.tokenServer!.requests.length;
    const name = `${registry.host}/team/api`;
    const delta = await compareImages(`${name}:1.0.0`, `${name}:1.2.0`, {
      tolerance: 0.05,
      sourceOptions: { credentials },
    });
    expect(delta.layers.length).toBeGreaterThan(0);
    expect(scopesSince(before)).toEqual(['repository:team/api:pull']);
  });
});
