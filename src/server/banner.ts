export interface BannerLinks {
  /** The GraphQL endpoint; a browser opening it gets the IDE. */
  url: string;
  wsUrl: string;
  /** undefined: the chat page is off. */
  chatUrl?: string;
  /** undefined: metrics are off. */
  metricsUrl?: string;
}

/** The start message: where to click. Several lines for a person, one for a log pipeline. */
export function startBanner(links: BannerLinks, pretty: boolean): { fields: Record<string, string>; message: string } {
  const sse = `${links.url}/stream`;
  const rows: Array<[string, string]> = [
    ['IDE (Altair)', links.url],
    ['Chat page', links.chatUrl ?? 'off (CHAT_UI=true serves it)'],
    ['Metrics', links.metricsUrl ?? 'off (METRICS_ENABLED=false)'],
    ['GraphQL over HTTP', `${links.url} (Apollo multipart subscriptions too)`],
    ['GraphQL over WebSocket', links.wsUrl],
    ['GraphQL over SSE', sse],
  ];
  // `url` is what scripts (tests/helpers/process.ts) read to find the gateway.
  const fields: Record<string, string> = { url: links.url, ws: links.wsUrl, sse };
  if (links.chatUrl) fields.chat = links.chatUrl;
  if (links.metricsUrl) fields.metrics = links.metricsUrl;
  if (!pretty)
    return { fields, message: `coach-gateway ready: open ${links.url} in a browser for the IDE${links.chatUrl ? `, ${links.chatUrl} for the chat page` : ''}` };
  const width = Math.max(...rows.map(([label]) => label.length));
  return { fields: {}, message: ['coach-gateway ready', ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n') };
}
