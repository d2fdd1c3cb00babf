import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pushImage,
  skopeoInspectRaw,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';

/** The test harness itself: each kind of registry starts, takes a push and serves it to skopeo. */
describe.each(['none', 'basic', 'token'] as const)('test registry with auth %s', (auth) => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('stores what pushImage pushed, byte for byte as skopeo reads it', async () => {
    const layer = await tarLayer({ 'hello.txt': `hello from ${auth}` });
    const pushed = await pushImage(registry, 'harness/app', 'v1', { layers: [layer], mediaTypes: 'docker' });
    const raw = await skopeoInspectRaw(registry, 'harness/app:v1');
    expect(raw.equals(pushed.manifest)).toBe(true);
    if (auth === 'token') expect(registry.tokenServer?.issued).toBeGreaterThan(0);
  });

  it('refuses anonymous reads when it has auth', async () => {
    const response = await fetch(`${registry.url}/v2/harness/app/tags/list`);
    expect(response.status).toBe(auth === 'none' ? 200 : 401);
  });
});
