import type { Aggregator } from './aggregator.js';
import type { TokenCipher } from './token-cipher.js';

/** The linking module's long-lived parts, built once in app.ts. */
export interface LinkingRuntime {
  aggregator: Aggregator;
  cipher: TokenCipher;
  /** Where the aggregator posts webhooks: known once the gateway listens. */
  webhookUrl: string;
  /** Where the consent page sends the browser by default (the chat page). */
  defaultRedirectUri: string;
  /** Items this process is syncing now (the advisory lock excludes the other processes). */
  syncing: Set<string>;
}
