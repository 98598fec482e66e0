import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has working defaults for a developer with nothing set', () => {
    const { config, warnings } = loadConfig({});
    expect(config).toMatchObject({ env: 'development', port: 4000, databaseUrl: undefined, dataDir: './data', seedDemo: true, bcryptCost: 12 });
    expect(config.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(warnings.join()).toMatch(/JWT_SECRET is not set/);
  });

  it('names every bad variable in one message', () => {
    const problems = problemsOf({ PORT: 'eighty', BCRYPT_COST: '40', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', SEED_DEMO: 'maybe' });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(['BCRYPT_COST', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SEED_DEMO']);
  });

  it('refuses to start in production without a JWT secret, or with a short one', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^JWT_SECRET is required/)]);
    expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toEqual([expect.stringMatching(/^JWT_SECRET must be at least 32/)]);
  });

  it('refuses EXPOSE_ERRORS in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), EXPOSE_ERRORS: 'true' })).toEqual([expect.stringMatching(/^EXPOSE_ERRORS/)]);
  });

  it('never echoes a database URL, which may hold a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(problems.join()).not.toContain('hunter2');
  });

  it('needs the operator username and password together', () => {
    expect(problemsOf({ OPERATOR_USERNAME: 'op' })).toEqual(['OPERATOR_USERNAME and OPERATOR_PASSWORD must be set together']);
  });

  it('seeds demo data by default only on the embedded database', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/x' }).config.seedDemo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/x', SEED_DEMO: 'true' }).config.seedDemo).toBe(true);
  });

  it('keeps idle HTTP connections longer than a load balancer does, and drains for a while in production', () => {
    expect(loadConfig({}).config).toMatchObject({ httpKeepAliveTimeoutMs: 65_000, httpHeadersTimeoutMs: 66_000, shutdownDrainDelayMs: 0 });
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).config.shutdownDrainDelayMs).toBe(5_000);
    expect(loadConfig({ HTTP_KEEPALIVE_TIMEOUT_MS: '30000' }).config.httpHeadersTimeoutMs).toBe(31_000);
  });

  it('refuses a headers timeout that is not above the keep-alive timeout', () => {
    expect(problemsOf({ HTTP_KEEPALIVE_TIMEOUT_MS: '30000', HTTP_HEADERS_TIMEOUT_MS: '30000' })).toEqual([
      expect.stringMatching(/^HTTP_HEADERS_TIMEOUT_MS must be greater/),
    ]);
  });
});

const tracingOf = (env: Record<string, string>) => loadConfig(env).config.tracing;

describe('the OTEL_* variables', () => {
  it('leave tracing off when none is set', () => {
    expect(tracingOf({})).toBeUndefined();
    expect(tracingOf({ OTEL_SERVICE_NAME: 'named-only' })).toBeUndefined();
  });

  it('send traces to the generic endpoint with /v1/traces appended, or to the traces endpoint as given', () => {
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      exporter: 'otlp',
      endpoint: 'http://collector:4318/v1/traces',
      headers: {},
      serviceName: 'coach-gateway',
      sampler: { kind: 'parentbased_always_on', ratio: 1 },
    });
    expect(
      tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/custom' })?.endpoint,
    ).toBe('https://traces.example/custom');
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'otlp' })?.endpoint).toBe('http://localhost:4318/v1/traces');
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'gw-eu-1' })).toMatchObject({ exporter: 'console', serviceName: 'gw-eu-1' });
  });

  it('are switched off by OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, whatever else is set', () => {
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('read OTEL_EXPORTER_OTLP_HEADERS as key=value pairs with percent-encoded values', () => {
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%2Cb, x-tenant = eu ' })?.headers).toEqual({
      'api-key': 'a,b',
      'x-tenant': 'eu',
    });
  });

  it('read the sampler and its ratio', () => {
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })?.sampler).toEqual({
      kind: 'parentbased_traceidratio',
      ratio: 0.25,
    });
    expect(problemsOf({ OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '2' }).map((p) => p.split(' ')[0])).toEqual([
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
  });

  it('name each bad one', () => {
    const problems = problemsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign',
      OTEL_SDK_DISABLED: 'perhaps',
    });
    expect(problems.map((p) => p.split(/[ :]/)[0]).sort()).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_SDK_DISABLED',
      'OTEL_TRACES_EXPORTER',
    ]);
  });
});
