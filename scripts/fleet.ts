// `npm run fleet`: deploy/compose.yaml without Docker. Migrates DATABASE_URL once, starts two
// gateways on loopback ports sharing it and REDIS_URL, and puts Debian's haproxy with
// deploy/haproxy.cfg in front; Ctrl+C drains the gateways and stops everything.
// A gateway that exits is started again on its port, as compose's `restart:` does: `kill -TERM <pid>`
// (printed below) shows a drain, haproxy taking it out and putting it back.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BALANCED, freePort, haproxyVersion, startBalancer } from './lib/haproxy.js';

const { DATABASE_URL, REDIS_URL } = process.env;
if (!DATABASE_URL || !REDIS_URL) fail('set DATABASE_URL (PostgreSQL) and REDIS_URL: the instances share both, as in deploy/compose.yaml');
if (!haproxyVersion()) fail('haproxy is not installed (apt-get install haproxy)');
const port = Number(process.env.FLEET_PORT ?? 8080);
// Checks every 250 ms, out after two: a second of drain is plenty.
const CHECK_INTERVAL_MS = 250;
const gatewayEnv = {
  ...process.env,
  HOST: '127.0.0.1',
  TRUST_PROXY: 'loopback',
  // One secret for both: a token one instance issued must be accepted by the other.
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('base64url'),
  SHUTDOWN_DRAIN_DELAY_MS: process.env.SHUTDOWN_DRAIN_DELAY_MS ?? '1000',
};

const migrated = await exited(spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { env: gatewayEnv, stdio: 'inherit' }));
if (migrated !== 0) fail('the migration failed');

const ports = [await freePort(), await freePort()];
let stopping = false;
const gateways: ChildProcess[] = [];
const startGateway = (i: number) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...gatewayEnv, PORT: String(ports[i]), INSTANCE_ID: `fleet-${i + 1}` },
    stdio: 'inherit',
  });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.log(`${BALANCED[i]} exited (${signal ?? code}): starting it again`);
    startGateway(i);
    console.log(`${BALANCED[i]} is pid ${gateways[i]!.pid}`);
  });
  gateways[i] = child;
};
ports.forEach((_, i) => startGateway(i));
const balancer = await startBalancer({
  port,
  gateways: [`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`],
  statsSocket: join(tmpdir(), `coach-fleet-${process.pid}.sock`),
  checkIntervalMs: CHECK_INTERVAL_MS,
  logLevel: 'notice',
  onOutput: (chunk) => process.stdout.write(`[haproxy] ${chunk}`),
});
for (const server of BALANCED) await balancer.waitFor(server, 'UP', 120_000);
console.log(`\nfleet up: ${balancer.url} (haproxy) -> ${BALANCED.map((s, i) => `${s} 127.0.0.1:${ports[i]} pid ${gateways[i]!.pid}`).join(', ')}`);
console.log('Ctrl+C stops it.');

const stop = async () => {
  if (stopping) return;
  stopping = true;
  for (const gateway of gateways) gateway.kill('SIGTERM');
  await Promise.all(gateways.map(exited));
  await balancer.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

function fail(message: string): never {
  console.error(`npm run fleet: ${message}`);
  process.exit(1);
}
