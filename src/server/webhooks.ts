import express, { type Router } from 'express';
import type { CoreDeps } from '../deps.js';
import type { Orm } from '../db/orm.js';
import { WEBHOOK_PATH } from '../modules/linking/linking.factory.js';
import { createServices } from '../services.js';

const MAX_WEBHOOK_BYTES = 64 * 1024;

/** POST /webhooks/aggregator: checked and answered at once; the sync it asks for runs afterwards. */
export function webhookRouter(deps: CoreDeps, orm: Orm): Router {
  const router = express.Router();
  router.post(WEBHOOK_PATH, express.raw({ type: '*/*', limit: MAX_WEBHOOK_BYTES }), async (req, res, next) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const answer = await createServices(deps, orm.em.fork()).webhooks.receive(body, req.get('x-aggregator-timestamp'), req.get('x-aggregator-signature'));
      res.status(answer.status).json({ status: answer.message });
    } catch (error) {
      next(error);
    }
  });
  return router;
}
