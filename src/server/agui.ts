import { EventType, type AGUIEvent } from '@ag-ui/core';
import express, { type Request, type Response, type Router } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { readRunAgentInput, type AgUiRunRequest } from '../modules/agent/agui.inputs.js';
import { START, type AgUiProjection } from '../modules/agent/agui.rules.js';
import { fromStore } from '../pubsub/replay.js';
import type { AgentEventPayload } from '../pubsub/topics.js';
import { DomainError } from '../shared/errors.js';
import type { AppMetrics } from '../shared/metrics.js';
import { requireAuth } from '../shared/request-context.js';
import { createAgUiFrames, type AgUiFrames } from './agui-frames.js';
import type { OperationContext } from './context.js';
import { STREAM_CONNECTION, type HttpStreams, type Part, type Refusal } from './http-subscriptions/index.js';

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
  // One per app: the readers of a run on this instance share its live frames.
  const frames = createAgUiFrames({ encoded: () => metrics.aguiFrameEncoded() });
  const stream = async (
    req: Request,
    res: Response,
    name: string,
    after: number,
    start: (context: OperationContext) => Promise<AsyncIterator<AgentEventPayload>>,
  ) => {
    const opened = await streams.openSource({
      transport: 'agui',
      name,
      authorization: req.get('authorization'),
      client: { ipAddress: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 500) ?? null },
      response: res,
      start,
    });
    if ('errors' in opened) return refuse(res, opened);
    await writeEvents(res, frames, opened.parts, after, heartbeatMs);
  };

  router.post('/agui', express.json({ limit: bodyLimitBytes }), async (req, res) => {
    let request: AgUiRunRequest;
    try {
      request = readRunAgentInput(req.body);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return refuse(res, { status: 400, errors: [{ message: error.message, extensions: { ...error.extensions, code: error.code } }] });
    }
    await stream(req, res, 'AgUiRun', 0, (context) => context.services.agent.runForAgUi(requireAuth(context), request));
  });

  router.get('/agui/runs/:runId', async (req, res) => {
    // The header an EventSource sends when it reconnects wins over the parameter of the URL it reconnects to.
    const raw = req.get('last-event-id') ?? (typeof req.query.after === 'string' ? req.query.after : '0');
    if (!RESUME_POINT.test(raw.trim())) {
      return refuse(res, {
        status: 400,
        errors: [{ message: 'Last-Event-ID (or after) must be the id of an event of this stream: a whole number', extensions: { code: 'BAD_USER_INPUT' } }],
      });
    }
    const runId = String(req.params.runId);
    // Every event is read from the first: the events before the resume point rebuild where the projection stands.
    await stream(req, res, 'AgUiReplay', Number(raw.trim()), (context) => context.services.agent.watchRun(requireAuth(context), runId, 0));
  });
  return router;
}

function refuse(res: Response, { status, errors }: Refusal): void {
  const retryAfter = errors[0]?.extensions?.retryAfter;
  if (status === 429 && retryAfter !== undefined) res.set('retry-after', String(retryAfter));
  res.status(status).json({ errors });
}

/** The run as SSE: each stored event after `after` as its AG-UI events, the last of them carrying the stored seq as its id. */
async function writeEvents(
  res: Response,
  frames: AgUiFrames,
  parts: AsyncIterableIterator<Part<AgentEventPayload>>,
  after: number,
  heartbeatMs: number,
): Promise<void> {
  // The client may have gone while the run was being started: its 'close' has already fired.
  if (res.closed) {
    await parts.return?.();
    return;
  }
  res.writeHead(200, { 'content-type': frames.contentType, 'cache-control': 'no-cache, no-store', ...STREAM_CONNECTION });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
  heartbeat.unref();
  res.once('close', () => {
    clearInterval(heartbeat);
    void parts.return?.();
  });
  let projection: AgUiProjection = START;
  try {
    // Live events do not wait for the reader: a reader that stops is cut by the streams' slow-consumer checks.
    for await (const part of parts) {
      if (res.destroyed) break;
      if (part.payload === null) {
        // The stream ended under the run (signed out, token expired, shutdown, a slow reader): the run may go on, and GET resumes it.
        if (!projection.ended) res.write(frames.encode(streamEnded(part.errors)));
        break;
      }
      const frame = frames.next(projection, part.payload);
      projection = frame.projection;
      if (part.payload.seq <= after || !frame.bytes) continue;
      // A replay is written as fast as the reader takes it: all at once, a long run's would be cut as a slow reader's.
      if (!res.write(frame.bytes) && fromStore(part.payload)) await drained(res);
    }
  } finally {
    clearInterval(heartbeat);
    if (!res.destroyed) res.end();
  }
}

/** The response took what was buffered, or went. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function streamEnded(errors: GraphQLFormattedError[]): AGUIEvent {
  const error = errors[0];
  const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
  return { type: EventType.RUN_ERROR, message: error?.message ?? 'The stream ended', code };
}
