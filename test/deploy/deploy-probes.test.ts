// Every health path the deployment files name — the image's HEALTHCHECK, compose's healthchecks and
// the Helm chart's probes — is answered 200 by a real Tollgate over a socket (deploy-files.unit.test.ts
// and dockerfile.unit.test.ts check the files' shape).
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(root + path, 'utf8');
const templates = 'deploy/helm/tollgate/templates/';

/** Health paths named by a file: probes' `path: /x`, and URLs on 127.0.0.1 in healthcheck commands. */
function healthPaths(text: string): string[] {
  const probes = [...text.matchAll(/httpGet: \{ path: (\/[a-z]+)/g)].map((m) => m[1]!);
  const commands = [...text.matchAll(/127\.0\.0\.1(?::\d+|:' \+ \([^)]*\) \+ ')(\/[a-z]+)/g)].map((m) => m[1]!);
  return [...probes, ...commands];
}

let gateway: TestGateway;
let base: string;
beforeAll(async () => {
  gateway = await startTestGateway();
  base = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await gateway?.close();
});

describe('the health paths the deployment files name', () => {
  const named = {
    Dockerfile: healthPaths(read('Dockerfile')),
    'compose.yaml': healthPaths(read('compose.yaml')),
    'the Helm chart': readdirSync(root + templates).filter((file) => file.endsWith('.yaml')).flatMap((file) => healthPaths(read(templates + file))),
  };

  it('are the ones each file is meant to use', () => {
    expect(named).toEqual({ Dockerfile: ['/healthz'], 'compose.yaml': ['/readyz'], 'the Helm chart': ['/readyz', '/healthz', '/healthz'] });
  });

  it('are answered 200 by a running Tollgate', async () => {
    for (const [file, paths] of Object.entries(named)) {
      for (const path of paths) expect((await fetch(base + path)).status, `${file}: ${path}`).toBe(200);
    }
  });
});
