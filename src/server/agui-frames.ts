import { isDeepStrictEqual } from 'node:util';
import type { AGUIEvent } from '@ag-ui/core';
import { EventEncoder } from '@ag-ui/encoder';
import { projectEvent, type AgUiProjection } from '../modules/agent/agui.rules.js';
import type { AgentEventPayload } from '../pubsub/topics.js';

/** One stored event as an AG-UI stream writes it. */
export interface AgUiFrame {
  /** Where the stream stands after the event. */
  projection: AgUiProjection;
  /** Its AG-UI events as SSE, the last carrying the event's seq as its id; null when it has none. */
  bytes: Buffer | null;
}

export interface AgUiFramesOptions {
  /** Called for each frame encoded (not for one reused): what the sharing saves shows in the metrics. */
  encoded?: () => void;
  project?: typeof projectEvent;
}

/**
 * Project once, send to many: a live event reaches every local reader of its run as the same
 * object (pub/sub), so its frame is made by the first reader and reused by the rest. The
 * projection is a pure fold over the run's events, so the frame depends only on the event and
 * where the reader's stream stood before it: a reader reuses a frame only from the same standing,
 * found by identity (readers that took the same frames share their projection object) or, once,
 * by value (a reader that rebuilt it from its own replay joins the others there). A replayed
 * event is a row of its reader's own, so a replay is projected per reader.
 */
export function createAgUiFrames({ encoded, project = projectEvent }: AgUiFramesOptions = {}) {
  const encoder = new EventEncoder();
  const made = new WeakMap<AgentEventPayload, Array<{ before: AgUiProjection; frame: AgUiFrame }>>();

  return {
    contentType: encoder.getContentType(),

    /** An event of one reader's own (the error that ended its stream). */
    encode: (event: AGUIEvent): string => encoder.encodeSSE(event),

    /** The frame of `event` for a stream that stood at `before`: the one another reader made from there, or a new one. */
    next(before: AgUiProjection, event: AgentEventPayload): AgUiFrame {
      let known = made.get(event);
      const reused = known?.find((k) => k.before === before) ?? known?.find((k) => isDeepStrictEqual(k.before, before));
      if (reused) return reused.frame;
      const { projection, events } = project(before, event);
      let bytes: Buffer | null = null;
      if (events.length) {
        bytes = Buffer.from(events.map((e, i) => (i === events.length - 1 ? `id: ${event.seq}\n` : '') + encoder.encodeSSE(e)).join(''));
        encoded?.();
      }
      const frame = { projection, bytes };
      if (!known) made.set(event, (known = []));
      known.push({ before, frame });
      return frame;
    },
  };
}

export type AgUiFrames = ReturnType<typeof createAgUiFrames>;
