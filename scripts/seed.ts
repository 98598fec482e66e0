// Writes the demo data (idempotently) to DATABASE_URL or the embedded database.
import 'reflect-metadata';
import { loadConfig } from '../src/config/config.js';
import { MemoryPubSub } from '../src/pubsub/memory.pubsub.js';
import { seedDemoData } from '../src/seed/demo.js';
import { createLogger } from '../src/shared/logger.js';
import { openOneOff } from './lib/one-off.js';

const { config } = loadConfig();
const pubsub = new MemoryPubSub();
const { deps, orm, close } = await openOneOff('seed', config, createLogger(config.logLevel), pubsub);
try {
  await seedDemoData(deps, orm);
} finally {
  await pubsub.close();
  await close();
}
