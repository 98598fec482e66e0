/** What Apollo Client sends for a subscription over HTTP. */
export const MULTIPART = 'multipart/mixed;subscriptionSpec="1.0", application/json';

/** A raw Apollo multipart subscription request; `parts` are the JSON bodies as they arrive, `ended` once the closing boundary came. */
export async function multipartRequest(url: string, body: object, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: MULTIPART, ...headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const parts: unknown[] = [];
  let raw = '';
  let ended = false;
  const done = (async () => {
    if (!response.body || !/^multipart\/mixed/.test(response.headers.get('content-type') ?? '')) return;
    const decoder = new TextDecoder();
    try {
      const reader = response.body.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        raw += decoder.decode(chunk.value, { stream: true });
        const pieces = raw.split('\r\n--graphql');
        raw = pieces.pop()!;
        for (const piece of pieces) {
          const json = piece.slice(piece.indexOf('\r\n\r\n') + 4);
          if (piece.includes('content-type')) parts.push(JSON.parse(json));
        }
        if (raw === '--\r\n') ended = true;
      }
    } catch {
      // aborted by the test
    }
  })();
  return { response, parts, done, abort: () => controller.abort(), ended: () => ended };
}
