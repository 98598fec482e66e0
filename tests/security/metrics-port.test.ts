import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { loadConfig } from '../../src/config/config.js';

const TOKEN = 'metrics-token-that-is-long-enough-0123456789';
const SECRET = { JWT_SECRET: 'x'.repeat(40) };

describe('where /metrics is served, in the configuration', () => {
  const metricsOf = (env: Record<string, string>) => loadConfig(env).config.metrics;
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as { problems: string[] }).problems;
    }
    return [];
  };

  it('is the main port in development and test, a loopback listener on 9464 in production', () => {
    expect(metricsOf({ NODE_ENV: 'development' })).toEqual({ port: undefined, host: '127.0.0.1', token: undefined });
    expect(metricsOf({ NODE_ENV: 'test' }).port).toBeUndefined();
    expect(metricsOf({ NODE_ENV: 'production', ...SECRET })).toEqual({ port: 9464, host: '127.0.0.1', token: undefined });
    expect(metricsOf({ NODE_ENV: 'production', ...SECRET, METRICS_PORT: '9100', METRICS_HOST: '10.1.2.3' })).toEqual({
      port: 9100,
      host: '10.1.2.3',
      token: undefined,
    });
    expect(metricsOf({ NODE_ENV: 'development', METRICS_PORT: '0' }).port).toBe(0);
  });

  it('refuses METRICS_PORT equal to PORT in production, and a METRICS_TOKEN shorter than 32 characters', () => {
    expect(problemsOf({ NODE_ENV: 'production', ...SECRET, PORT: '8080', METRICS_PORT: '8080' })).toEqual([
      expect.stringMatching(/^METRICS_PORT must differ from PORT when NODE_ENV=production/),
    ]);
    expect(problemsOf({ NODE_ENV: 'test', METRICS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^METRICS_TOKEN must be at least 32 characters/)]);
  });
});

describe('in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Port 0 stands in for 9464 so parallel test files do not collide.
    server = await startTestServer({ env: { NODE_ENV: 'production', METRICS_PORT: '0' } });
  });
  afterAll(() => server?.stop());

  it('serves /metrics only on the loopback metrics listener, never on the public port', async () => {
    const publicPort = await fetch(server.url.replace('/graphql', '/metrics'));
    expect(publicPort.status).toBe(404);
    const metricsUrl = new URL(server.app.metricsUrl!);
    expect(metricsUrl.hostname).toBe('127.0.0.1');
    expect(metricsUrl.port).not.toBe(String(server.app.port));
    const scraped = await fetch(metricsUrl);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^coach_ws_connections\{/m);
    // The metrics listener serves nothing else.
    expect((await fetch(new URL('/graphql', metricsUrl), { method: 'POST' })).status).toBe(404);
  });
});

describe('with METRICS_TOKEN', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => server?.stop());

  const scrape = (authorization?: string) => fetch(server.app.metricsUrl!, { headers: authorization ? { authorization } : {} });

  it('answers 401 with a Bearer challenge without the token or with a wrong one, of any length', async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN.slice(0, -1)}x`, 'Bearer x', `Bearer ${TOKEN}${TOKEN}`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await scrape(authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toMatch(/coach_/);
    }
  });

  it('serves the metrics to its bearer, the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const res = await scrape(`${scheme} ${TOKEN}`);
      expect(res.status, scheme).toBe(200);
      expect(await res.text()).toMatch(/^coach_ws_connections\{/m);
    }
  });
});
