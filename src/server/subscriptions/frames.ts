import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';

type AnyResult = ExecutionResult<unknown>;

/** The result as a client receives it: its errors formatted (masked, coded). */
export type WireResult = AnyResult | (Omit<AnyResult, 'errors'> & { errors: GraphQLFormattedError[] });

/** What one rendering is written as, made on first use by any subscriber and reused by the rest. */
interface Made {
  wire?: WireResult;
  json?: string;
  sse?: Buffer;
  multipart?: Buffer;
}

export const MULTIPART_BOUNDARY = '\r\n--graphql';
const MULTIPART_HEAD = '\r\ncontent-type: application/json; charset=utf-8\r\n\r\n';

/** One multipart part, the boundary after it so a client parses it on arrival. */
export function multipartPart(json: string): string {
  return `${MULTIPART_HEAD}${json}${MULTIPART_BOUNDARY}`;
}

/**
 * Execute once, send to many: subscribers of one run with the same document, variables and
 * caller get the same result object per event (ws-events.ts); this makes its bytes once too,
 * per transport, for every one of them. A graphql-ws frame names its subscription's id, so
 * there the payload's JSON is shared and only the few bytes around it are per subscriber; an
 * SSE event and a multipart part are the same bytes for every subscriber. Keyed by the result
 * object, so what is made goes with the event.
 */
export function createSharedFrames(formatErrors: (errors: readonly GraphQLError[]) => GraphQLFormattedError[]) {
  const made = new WeakMap<object, Made>();
  const of = (result: AnyResult): Made => {
    let m = made.get(result);
    if (!m) made.set(result, (m = {}));
    return m;
  };
  const wire = (result: AnyResult): WireResult => {
    const m = of(result);
    if (m.wire) return m.wire;
    if (!result.errors) return (m.wire = result);
    const formatted = { ...result, errors: formatErrors(result.errors) };
    // A transport handed the wire form finds the same bytes by it (and never formats its errors twice).
    made.set(formatted, m);
    return (m.wire = formatted);
  };
  const json = (result: AnyResult): string => {
    const m = of(result);
    return (m.json ??= JSON.stringify(wire(result)));
  };

  return {
    /** The result with its errors formatted (given a result or its wire form): the same object for every subscriber of the rendering. */
    wire,
    /** Its JSON. */
    json,
    /** A graphql-transport-ws `next` message for subscription `id`. */
    ws(id: string, result: AnyResult): string {
      return `{"id":${JSON.stringify(id)},"type":"next","payload":${json(result)}}`;
    },
    /** A graphql-sse `next` event (distinct connections: no operation id). */
    sse(result: AnyResult): Buffer {
      const m = of(result);
      return (m.sse ??= Buffer.from(`event: next\ndata: ${json(result)}\n\n`));
    },
    /** An Apollo multipart part holding `{ payload: result }`. */
    multipart(result: AnyResult): Buffer {
      const m = of(result);
      return (m.multipart ??= Buffer.from(multipartPart(`{"payload":${json(result)}}`)));
    },
  };
}

export type SharedFrames = ReturnType<typeof createSharedFrames>;
