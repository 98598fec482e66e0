import { EventType, type AGUIEvent } from '@ag-ui/core';
import type { Request, Response } from 'express';
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

export interface AgUiStreamsOptions {
  streams: HttpStreams;
  metrics: Pick<AppMetrics, 'aguiFrameEncoded'>;
  heartbeatMs: number;
}

/** What POST /agui and GET /agui/runs/:runId do once their requests are read (src/server/agui.ts). */
export interface AgUiStreams {
  run(req: Request, res: Response): Promise<void>;
  replay(req: Request, res: Response, runId: string, after: number): Promise<void>;
}

/** AG-UI's schemas, projection and encoder: loaded on the first AG-UI request, not at start. */
export function createAgUiStreams({ streams, metrics, heartbeatMs }: AgUiStreamsOptions): AgUiStreams {
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
  return {
    async run(req, res) {
      let request: AgUiRunRequest;
      try {
        request = readRunAgentInput(req.body);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return refuse(res, { status: 400, errors: [{ message: error.message, extensions: { ...error.extensions, code: error.code } }] });
      }
      await stream(req, res, 'AgUiRun', 0, (context) => context.services.agent.runForAgUi(requireAuth(context), request));
    },
    // Every event is read from the first: the events before the resume point rebuild where the projection stands.
    replay: (req, res, runId, after) => stream(req, res, 'AgUiReplay', after, (context) => context.services.agent.watchRun(requireAuth(context), runId, 0)),
  };
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
