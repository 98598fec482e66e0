export { createHttpStreams, STREAM_CONNECTION, type HttpStreams, type Part, type Refusal } from './streams.js';
export { multipartSubscriptions, HTTP_SUBSCRIPTION_PROTOCOLS, acceptsMultipartSubscriptions, isSubscription, NEEDS_A_STREAM } from './multipart.js';
export { sseSubscriptions } from './sse.js';
