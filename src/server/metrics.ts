import type { Router } from 'express';
import express from 'express';
import type { AppMetrics } from '../shared/metrics.js';

/** GET /metrics: this instance's numbers in the Prometheus text format. */
export function metricsRouter(metrics: AppMetrics): Router {
  const router = express.Router();
  router.get('/metrics', async (_req, res, next) => {
    try {
      const text = await metrics.text();
      res.setHeader('content-type', metrics.registry.contentType);
      res.send(text);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
