import type { Router } from 'express';
import express from 'express';
import { pendingMigrations, type Orm } from '../db/orm.js';
import type { Logger } from '../shared/logger.js';

/** /healthz: the process answers. /readyz: the database answers and is fully migrated. */
export function healthRouter(orm: Orm, logger: Logger, isStopping: () => boolean): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (isStopping()) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    try {
      const connection = await orm.checkConnection();
      if (!connection.ok) {
        logger.warn({ reason: connection.reason }, 'readiness: database unreachable');
        res.status(503).json({ status: 'unavailable', database: 'unreachable' });
        return;
      }
      const pending = await pendingMigrations(orm);
      if (pending > 0) {
        res.status(503).json({ status: 'unavailable', database: 'ok', pendingMigrations: pending });
        return;
      }
      res.json({ status: 'ready', database: 'ok', pendingMigrations: 0 });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable' });
    }
  });
  return router;
}
