import { startSandboxBank } from './server.js';

// `npm run sandbox-bank`: the sandbox aggregator as a process of its own; prints its URL on the first line.
const env = process.env;
const bank = await startSandboxBank({
  port: Number(env.SANDBOX_BANK_PORT ?? 4100),
  host: env.SANDBOX_BANK_HOST ?? '127.0.0.1',
  clientId: env.AGGREGATOR_CLIENT_ID ?? 'sandbox-client',
  secret: env.AGGREGATOR_SECRET ?? 'sandbox-secret',
  webhookSecret: env.AGGREGATOR_WEBHOOK_SECRET ?? 'sandbox-webhook-secret',
});
console.log(`sandbox-bank listening at ${bank.url}`);
const stop = () => void bank.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
