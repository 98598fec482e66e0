export { createHttpStreams, type HttpStreams } from './streams.js';
export { multipartSubscriptions, HTTP_SUBSCRIPTION_PROTOCOLS } from './multipart.js';
export { sseSubscriptions } from './sse.js';
