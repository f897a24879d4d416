// compose.yaml, deploy/nginx.conf and the Helm chart, read as files (no container daemon or helm
// here): two Tollgate nodes sharing one PostgreSQL, one Redis and one master key behind nginx, with
// healthchecks that gate start-up; a chart whose probes, Secret, ConfigMap and autoscaler fit
// together. deploy-probes.test.ts checks that a real Tollgate answers every health path they name.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigFile } from '../../src/config-file.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(root + path, 'utf8');

/** A value inside parsed YAML by its path, or undefined. */
function at(value: unknown, ...path: Array<string | number>): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), value);
}
const record = (value: unknown) => (value ?? {}) as Record<string, unknown>;
const list = (value: unknown) => (Array.isArray(value) ? (value as unknown[]) : []);

/** A Helm template's static YAML: whole-line actions dropped, inline actions a placeholder string. */
function staticYaml(template: string): unknown {
  const lines = template.split('\n').filter((line) => !/^\s*\{\{.*\}\}\s*$/.test(line));
  return parse(lines.join('\n').replace(/\{\{.*?\}\}/g, 'TEMPLATED'));
}

/** The URL paths a healthcheck command line fetches. */
const fetchedPaths = (command: unknown) => [...list(command).join(' ').matchAll(/127\.0\.0\.1(?::\d+|'[^)]*?')?(\/[a-z-]+)/g)].map((m) => m[1]);

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as unknown;
  const services = record(at(compose, 'services'));
  const nodes = Object.keys(services).filter((name) => /^tollgate-\d+$/.test(name));

  it('runs two Tollgate nodes built from this repository, on one PostgreSQL, one Redis and one master key', () => {
    expect(nodes).toEqual(['tollgate-1', 'tollgate-2']);
    const envs = nodes.map((node) => record(at(services[node], 'environment')));
    for (const [i, env] of envs.entries()) {
      expect(at(services[nodes[i]!], 'build')).toBe('.');
      expect(env.TOLLGATE_DATABASE_URL).toMatch(/^postgres:\/\/tollgate:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/tollgate$/);
      expect(env.TOLLGATE_REDIS_URL).toBe('redis://redis:6379');
      // From .env, required: Compose refuses to start without it rather than each node minting its own.
      expect(env.TOLLGATE_MASTER_KEY).toMatch(/^\$\{TOLLGATE_MASTER_KEY:\?/);
      expect(env).toEqual(envs[0]);
      expect(at(services[nodes[i]!], 'ports')).toBeUndefined();
    }
    expect(at(services.postgres, 'image')).toMatch(/^postgres:\d+/);
    expect(at(services.redis, 'image')).toMatch(/^redis:\d+/);
  });

  it('gates start-up on healthchecks: storage before the nodes, ready nodes before nginx', () => {
    for (const service of ['postgres', 'redis', 'nginx', ...nodes]) expect(list(at(services[service], 'healthcheck', 'test'))[0], service).toBe('CMD');
    for (const node of nodes) {
      expect(at(services[node], 'depends_on')).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      expect(fetchedPaths(at(services[node], 'healthcheck', 'test'))).toEqual(['/readyz']);
    }
    expect(at(services.nginx, 'depends_on')).toEqual(Object.fromEntries(nodes.map((node) => [node, { condition: 'service_healthy' }])));
  });

  it('puts nginx in front of both nodes, publishing on loopback only', () => {
    const nginx = read('deploy/nginx.conf');
    const upstream = /upstream tollgate \{([^}]*)\}/.exec(nginx)![1]!;
    expect([...upstream.matchAll(/server (\S+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(nodes.map((node) => `${node}:8080`));
    expect(nginx).toMatch(/proxy_buffering off;/);
    expect(list(at(services.nginx, 'volumes'))).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(list(at(services.nginx, 'ports'))).toEqual(['127.0.0.1:8080:80']);
    expect(record(at(services[nodes[0]!], 'environment')).TOLLGATE_TRUST_PROXY).toBe('1');
  });

  it('mounts a config file Tollgate accepts', () => {
    expect(list(at(services[nodes[0]!], 'volumes'))).toContain('./deploy/tollgate.yaml:/etc/tollgate/tollgate.yaml:ro');
    expect(() => parseConfigFile(read('deploy/tollgate.yaml'), 'deploy/tollgate.yaml', {})).not.toThrow();
  });
});

describe('the Helm chart', () => {
  const chartDir = 'deploy/helm/tollgate/';
  const values = parse(read(chartDir + 'values.yaml')) as unknown;
  const templates = Object.fromEntries(
    readdirSync(root + chartDir + 'templates').filter((file) => file.endsWith('.yaml')).map((file) => [file, staticYaml(read(`${chartDir}templates/${file}`))]),
  );
  const container = at(templates['deployment.yaml'], 'spec', 'template', 'spec', 'containers', 0);

  it('is a v2 chart whose templates parse', () => {
    expect(parse(read(chartDir + 'Chart.yaml'))).toMatchObject({ apiVersion: 'v2', name: 'tollgate' });
    expect(Object.keys(templates).sort()).toEqual(['configmap.yaml', 'deployment.yaml', 'hpa.yaml', 'ingress.yaml', 'secret.yaml', 'service.yaml']);
  });

  it('probes readiness on /readyz and liveness on /healthz (deploy-probes.test.ts asks a real Tollgate)', () => {
    expect(at(container, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: 'http' });
    expect(at(container, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'http' });
    expect(at(container, 'startupProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'http' });
    expect(at(container, 'ports', 0)).toMatchObject({ name: 'http', containerPort: 8080 });
  });

  it('takes the master key, database and Redis URLs from a Secret, and tollgate.yaml from a ConfigMap', () => {
    const env = list(at(container, 'env')).map(record);
    const fromSecret = Object.fromEntries(env.filter((e) => e.valueFrom).map((e) => [e.name, at(e.valueFrom, 'secretKeyRef', 'key')]));
    expect(fromSecret).toEqual({ TOLLGATE_MASTER_KEY: 'master-key', TOLLGATE_DATABASE_URL: 'database-url', TOLLGATE_REDIS_URL: 'redis-url', TOLLGATE_METRICS_TOKEN: 'metrics-token' });
    expect(Object.keys(record(at(templates['secret.yaml'], 'stringData'))).sort()).toEqual(['database-url', 'master-key', 'metrics-token', 'redis-url']);
    // The Secret refuses to render without a master key: a random one per install would lock out the next release.
    expect(read(`${chartDir}templates/secret.yaml`)).toMatch(/master-key: \{\{ required /);
    expect(env.find((e) => e.name === 'TOLLGATE_CONFIG')?.value).toBe('/etc/tollgate/tollgate.yaml');
    expect(env.find((e) => e.name === 'TOLLGATE_HOST')?.value).toBe('0.0.0.0');
    expect(at(templates['configmap.yaml'], 'kind')).toBe('ConfigMap');
    expect(() => parseConfigFile(JSON.stringify(at(values, 'config')), 'values.yaml config', {})).not.toThrow();
  });

  it('runs non-root on a read-only root filesystem, with resources and a CPU autoscaler', () => {
    expect(at(values, 'podSecurityContext')).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(at(values, 'securityContext')).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const mounts = list(at(container, 'volumeMounts')).map((m) => at(m, 'mountPath'));
    expect(mounts).toEqual(expect.arrayContaining(['/data', '/tmp', '/etc/tollgate']));
    expect(at(values, 'resources', 'requests')).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(templates['hpa.yaml']).toMatchObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment' } } });
    expect(at(values, 'autoscaling', 'enabled')).toBe(true);
    expect(at(values, 'terminationGracePeriodSeconds')).toBeGreaterThan(10);
    expect(at(templates['ingress.yaml'], 'apiVersion')).toBe('networking.k8s.io/v1');
    expect(at(values, 'ingress', 'enabled')).toBe(false);
  });
});
