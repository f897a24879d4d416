// SPEC §12: tracing is switched on by OpenTelemetry's standard environment, read in src/config.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const cwd = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

describe('tracing configuration', () => {
  it('is off without an OTLP endpoint', () => {
    expect(loadConfig({}, cwd).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_SERVICE_NAME: 'gateway' }, cwd).tracing).toBeUndefined();
  });

  it('is on with OTEL_EXPORTER_OTLP_ENDPOINT or its traces-only twin, as service "tollgate" unless OTEL_SERVICE_NAME says otherwise', () => {
    expect(loadConfig(ENDPOINT, cwd).tracing).toEqual({ serviceName: 'tollgate' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces' }, cwd).tracing).toEqual({ serviceName: 'tollgate' });
    expect(loadConfig({ ...ENDPOINT, OTEL_SERVICE_NAME: 'gateway-eu' }, cwd).tracing).toEqual({ serviceName: 'gateway-eu' });
    expect(loadConfig({ ...ENDPOINT, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, cwd).tracing).toBeDefined();
    expect(Object.isFrozen(loadConfig(ENDPOINT, cwd).tracing)).toBe(true);
  });

  it('is off when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, endpoint or not', () => {
    expect(loadConfig({ ...ENDPOINT, OTEL_SDK_DISABLED: 'true' }, cwd).tracing).toBeUndefined();
    expect(loadConfig({ ...ENDPOINT, OTEL_SDK_DISABLED: 'TRUE' }, cwd).tracing).toBeUndefined();
    expect(loadConfig({ ...ENDPOINT, OTEL_TRACES_EXPORTER: 'none' }, cwd).tracing).toBeUndefined();
    expect(loadConfig({ ...ENDPOINT, OTEL_SDK_DISABLED: 'false' }, cwd).tracing).toBeDefined();
  });

  it.each([
    [{ ...ENDPOINT, OTEL_TRACES_EXPORTER: 'zipkin' }, /OTEL_TRACES_EXPORTER.*zipkin/],
    [{ ...ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /OTEL_EXPORTER_OTLP_PROTOCOL.*grpc/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /OTEL_EXPORTER_OTLP_ENDPOINT/],
  ])('stops on %o with a message naming the setting', (env, pattern) => {
    expect(() => loadConfig(env, cwd)).toThrow(ConfigError);
    expect(() => loadConfig(env, cwd)).toThrow(pattern);
  });
});
