import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { startBanner } from './server/banner.js';
import { logDestination } from './shared/log-format.js';
import { createLogger } from './shared/logger.js';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { config, warnings } = loaded;
  const logs = await logDestination(config);
  const logger = createLogger(config.logLevel, logs.destination);
  for (const warning of [...warnings, ...(logs.warning ? [logs.warning] : [])]) logger.warn(warning);

  const app = await createApp(config, { logger });
  const banner = startBanner(app, logs.pretty);
  logger.info(banner.fields, banner.message);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and sockets');
    app
      .stop()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Settles once the gateway listens (true) or failed to start (false; the process is exiting). The bundle's loader waits on it to save V8's code cache. */
export const started: Promise<boolean> = main().then(
  () => true,
  (error: unknown) => {
    console.error('coach-gateway failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
    return false;
  },
);
