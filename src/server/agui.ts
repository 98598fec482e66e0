import express, { type Router } from 'express';
import type { AppMetrics } from '../shared/metrics.js';
import type { AgUiStreams } from './agui-stream.js';
import type { HttpStreams } from './http-subscriptions/index.js';

/** A comment line now and then keeps a quiet run's connection open through proxies; AG-UI clients read only data lines. */
export const AGUI_HEARTBEAT_MS = 15_000;
const RESUME_POINT = /^\d{1,9}$/;

export interface AgUiOptions {
  streams: HttpStreams;
  bodyLimitBytes: number;
  metrics: Pick<AppMetrics, 'aguiFrameEncoded'>;
  heartbeatMs?: number;
}

/**
 * AG-UI (https://docs.ag-ui.com) over SSE: POST /agui starts a run from a RunAgentInput and streams
 * it; GET /agui/runs/:runId replays a run, finished or not, after Last-Event-ID (or ?after=).
 * Both are projections of the run's stored events (agui.rules.ts) under the HTTP streams' sign-in,
 * caps, rate limits and endings; an SSE event's id is the seq of the stored event it came from.
 */
export function aguiRouter({ streams, bodyLimitBytes, metrics, heartbeatMs = AGUI_HEARTBEAT_MS }: AgUiOptions): Router {
  const router = express.Router();
  // AG-UI's schemas (zod, evaluated when loaded) and its encoder load with the first AG-UI request: a start does not need them.
  let loading: Promise<AgUiStreams> | undefined;
  const agui = () => (loading ??= import('./agui-stream.js').then(({ createAgUiStreams }) => createAgUiStreams({ streams, metrics, heartbeatMs })));

  router.post('/agui', express.json({ limit: bodyLimitBytes }), async (req, res) => (await agui()).run(req, res));

  router.get('/agui/runs/:runId', async (req, res) => {
    // The header an EventSource sends when it reconnects wins over the parameter of the URL it reconnects to.
    const raw = req.get('last-event-id') ?? (typeof req.query.after === 'string' ? req.query.after : '0');
    if (!RESUME_POINT.test(raw.trim())) {
      res.status(400).json({
        errors: [{ message: 'Last-Event-ID (or after) must be the id of an event of this stream: a whole number', extensions: { code: 'BAD_USER_INPUT' } }],
      });
      return;
    }
    await (await agui()).replay(req, res, String(req.params.runId), Number(raw.trim()));
  });
  return router;
}
