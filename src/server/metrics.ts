import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import express from 'express';
import type { Config } from '../config/config.js';
import type { AppMetrics } from '../shared/metrics.js';
import { bearerToken } from '../modules/auth/tokens.js';

/** GET /metrics: this instance's numbers in the Prometheus text format; with a token, only for its bearer. */
export function metricsRouter(metrics: AppMetrics, token: string | undefined): Router {
  const expected = token === undefined ? undefined : digest(token);
  const router = express.Router();
  router.get('/metrics', async (req, res, next) => {
    if (expected) {
      const presented = bearerToken(req.get('authorization'));
      // Digests of equal length: the comparison takes the same time whatever was sent.
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        res.status(401).type('text/plain').send('Unauthorized: send "Authorization: Bearer <METRICS_TOKEN>"\n');
        return;
      }
    }
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

/** A listener that serves only GET /metrics (METRICS_PORT), kept off the public port. */
export async function startMetricsServer(metrics: AppMetrics, options: Config['metrics']): Promise<{ port: number; stop(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRouter(metrics, options.token));
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found: only GET /metrics is served here\n');
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
