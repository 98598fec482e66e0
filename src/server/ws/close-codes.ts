/** Close codes the gateway sends besides graphql-ws's own. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
/** Over STREAMS_MAX_PER_IP or WS_MAX_CONNECTIONS_PER_USER; graphql-ws clients do not retry it. */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;
/** A consumer that stopped reading: "Try Again Later", which graphql-ws clients retry. */
export const CLOSE_SLOW_CONSUMER = 1013;
