import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import type { Logger } from '../shared/logger.js';
import { acceptsMultipartSubscriptions, isSubscription, NEEDS_A_STREAM } from './http-subscriptions/index.js';

export interface GraphQLPostOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  context: (req: IncomingMessage, res: ServerResponse) => Promise<TContext>;
  bodyLimitBytes: number;
  logger: Logger;
  /** Every request this does not take, as it arrived (the express app). */
  fallback: RequestListener;
}

/** What express.json takes without a transform: JSON in UTF-8, uncompressed. */
const JSON_UTF8 = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** The answers express's error handler gives the same failures, kept word for word. */
export const BAD_JSON = 'Request body is not valid JSON';
export const MALFORMED = 'Malformed request';
export const tooLarge = (limit: number): string => `Request body is larger than ${limit} bytes`;

/**
 * `POST /graphql` with a JSON body, served by Apollo straight on node:http: the busiest
 * request skips express's routers and its JSON parser (issue 30). It answers as that path
 * does (the byte limit, the JSON errors, a subscription's 406); everything else, multipart
 * subscriptions and compressed bodies included, goes to `fallback` untouched.
 */
export function graphqlPost<TContext extends BaseContext>(options: GraphQLPostOptions<TContext>): RequestListener {
  const { fallback } = options;
  return (req, res) => {
    if (!takes(req)) return fallback(req, res);
    readBody(req, options.bodyLimitBytes, (failure, text) => {
      if (failure) return sendError(res, failure.status, failure.message);
      let body: unknown;
      try {
        body = parseJson(text!);
      } catch {
        return sendError(res, 400, BAD_JSON);
      }
      const params = body as { query?: unknown; operationName?: unknown } | null;
      if (isSubscription(params?.query, params?.operationName)) {
        return send(res, 406, 'application/graphql-response+json; charset=utf-8', JSON.stringify({ errors: NEEDS_A_STREAM }));
      }
      execute(options, req, res, body).catch((error: unknown) => {
        options.logger.error({ err: error }, 'unhandled HTTP error');
        if (!res.headersSent) sendError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
        else res.destroy();
      });
    });
  };
}

function takes(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  if (url !== '/graphql' && !url.startsWith('/graphql?')) return false;
  const { headers } = req;
  if (!JSON_UTF8.test(headers['content-type'] ?? '')) return false;
  // A body express.json would inflate, or none at all (it leaves req.body unset): express answers those as it always has.
  if (headers['content-encoding'] !== undefined && headers['content-encoding'].toLowerCase() !== 'identity') return false;
  if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) return false;
  const accept = headers.accept;
  return !acceptsMultipartSubscriptions(accept) && !accept?.includes('text/event-stream');
}

interface Failure {
  status: number;
  message: string;
}

/** The body as text, refused (413) past `limit` bytes: by its declared length before reading, else as it arrives. */
function readBody(req: IncomingMessage, limit: number, done: (failure: Failure | null, text?: string) => void): void {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return drainThen(req, () => done({ status: 413, message: tooLarge(limit) }));
  const chunks: Buffer[] = [];
  let size = 0;
  const stop = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) return void chunks.push(chunk);
    stop();
    drainThen(req, () => done({ status: 413, message: tooLarge(limit) }));
  };
  const onEnd = () => {
    stop();
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    done(null, bytes.toString('utf8'));
  };
  const onError = () => {
    stop();
    done({ status: 400, message: MALFORMED });
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}

/** As body-parser does before it answers a refused body: read the rest off the wire, so the connection stays usable. */
function drainThen(req: IncomingMessage, answer: () => void): void {
  let answered = false;
  const once = () => {
    if (answered) return;
    answered = true;
    answer();
  };
  req.once('end', once);
  req.once('error', once);
  req.resume();
}

/** express.json's reading: an empty body is `{}`, only an object or an array is accepted, a BOM is dropped. */
function parseJson(text: string): unknown {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.length === 0) return {};
  const first = json.trimStart()[0];
  if (first !== '{' && first !== '[') throw new SyntaxError('not an object or an array');
  return JSON.parse(json) as unknown;
}

async function execute<TContext extends BaseContext>(
  options: GraphQLPostOptions<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url!;
  const query = url.indexOf('?');
  const response: HTTPGraphQLResponse = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: query === -1 ? '' : url.slice(query), body },
    context: () => options.context(req, res),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function sendError(res: ServerResponse, status: number, message: string, code = 'BAD_REQUEST'): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
}
