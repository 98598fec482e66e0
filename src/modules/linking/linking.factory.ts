import type { Config } from '../../config/config.js';
import type { Logger } from '../../shared/logger.js';
import { HttpAggregator } from './http-aggregator.js';
import type { LinkingRuntime } from './linking.runtime.js';
import { TokenCipher } from './token-cipher.js';

export const WEBHOOK_PATH = '/webhooks/aggregator';

/**
 * The aggregator client for the configured AGGREGATOR_URL or, unset, for the sandbox
 * aggregator started here on a loopback port (the embedded default, like PGlite). Either
 * way the gateway speaks HTTP to it. `webhookUrl` is set once the gateway listens.
 */
export async function startLinking(config: Config, logger: Logger): Promise<{ runtime: LinkingRuntime; close(): Promise<void> }> {
  const a = config.aggregator;
  let url = a.url;
  let close = async () => {};
  if (!url) {
    // Loaded only here: the sandbox is for running without AGGREGATOR_URL.
    const { startSandboxBank } = await import('../../../sandbox-bank/server.js');
    const bank = await startSandboxBank({ clientId: a.clientId, secret: a.secret, webhookSecret: a.webhookSecret });
    url = bank.url;
    close = () => bank.close();
    logger.info({ aggregator: url }, `aggregator: the embedded sandbox bank at ${url}`);
  }
  const runtime: LinkingRuntime = {
    aggregator: new HttpAggregator({ url, clientId: a.clientId, secret: a.secret }),
    cipher: new TokenCipher(a.tokenKey),
    webhookUrl: a.webhookUrl ?? '',
    defaultRedirectUri: '',
    syncing: new Set(),
  };
  return { runtime, close };
}

/** Once the gateway listens: where webhooks and the consent page's Allow go by default. */
export function setLinkingAddress(runtime: LinkingRuntime, config: Config, origin: string): void {
  if (!config.aggregator.webhookUrl) runtime.webhookUrl = `${origin}${WEBHOOK_PATH}`;
  runtime.defaultRedirectUri = `${origin}/chat`;
}
