import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Webhook signatures, shared by the sandbox (which signs) and the gateway (which checks):
 * HMAC-SHA-256 over "<timestamp>.<body>", sent as "v1=<hex>" with the timestamp beside it.
 */

export const SIGNATURE_HEADER = 'x-aggregator-signature';
export const TIMESTAMP_HEADER = 'x-aggregator-timestamp';

export function sign(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Constant-time comparison of a received signature with the expected one. */
export function signatureMatches(secret: string, timestamp: string, body: string, received: string): boolean {
  const expected = Buffer.from(sign(secret, timestamp, body));
  const got = Buffer.from(received);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
