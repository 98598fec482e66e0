import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  mem_limit?: string;
  healthcheck?: unknown;
}

// Compose reads YAML 1.1 merge keys (<<): the replicas share one definition.
const compose = parse(readFileSync('deploy/compose.yaml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;
const gateways = ['gateway-1', 'gateway-2'].map((name) => [name, services[name]!] as const);

describe('deploy/compose.yaml', () => {
  it('runs PostgreSQL, Redis, a migration step, two gateway replicas and a load balancer', () => {
    expect(Object.keys(services).sort()).toEqual(['balancer', 'gateway-1', 'gateway-2', 'migrate', 'postgres', 'redis']);
    for (const name of ['postgres', 'redis']) expect(services[name]!.healthcheck, name).toBeDefined();
  });

  it('migrates once, before the replicas start, instead of every replica racing to', () => {
    expect(services.migrate!.command).toEqual(['node', 'dist/scripts/migrate.js']);
    expect(services.migrate!.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' } });
    for (const [name, gateway] of gateways) {
      expect(gateway.depends_on, name).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } });
    }
  });

  it('runs the replicas as one fleet: the same database, Redis and secret, an id each, a memory limit, nothing published', () => {
    const [[, first], [, second]] = gateways;
    for (const [name, gateway] of gateways) {
      expect(gateway.environment?.DATABASE_URL, name).toMatch(/^postgresql:\/\/.*@postgres:5432\//);
      expect(gateway.environment?.REDIS_URL, name).toBe('redis://redis:6379');
      expect(gateway.mem_limit, name).toBeDefined();
      // Neither the API port nor the metrics port: only the balancer is reachable from outside.
      expect(gateway.ports, name).toBeUndefined();
      expect(Number(gateway.environment?.SHUTDOWN_DRAIN_DELAY_MS), name).toBeGreaterThan(0);
    }
    expect(first!.environment?.JWT_SECRET).toBe(second!.environment?.JWT_SECRET);
    expect(first!.environment?.INSTANCE_ID).not.toBe(second!.environment?.INSTANCE_ID);
  });

  it('takes every secret from the environment it is started with, and refuses to start without the required ones', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (/SECRET|PASSWORD|TOKEN|API_KEY/.test(variable)) expect(value, `${name}.${variable}`).toMatch(/^\$\{[A-Z_]+:[?-]/);
      }
    }
    expect(services['gateway-1']!.environment?.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
  });

  it('puts haproxy in front with the same haproxy.cfg the fleet test runs, pointed at both replicas', () => {
    const balancer = services.balancer!;
    expect(balancer.image).toMatch(/^haproxy:\d/);
    expect(balancer.volumes).toContain('./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    expect(balancer.ports).toEqual(['8080:8080']);
    expect(balancer.environment).toMatchObject({ LB_GATEWAY_1: 'gateway-1:4000', LB_GATEWAY_2: 'gateway-2:4000' });
    const config = readFileSync('deploy/haproxy.cfg', 'utf8');
    for (const variable of Object.keys(balancer.environment ?? {})) expect(config, variable).toContain(`"\${${variable}-`);
  });
});
