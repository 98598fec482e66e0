import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startBanner } from '../../src/server/banner.js';
import { logDestination, wantsPrettyLogs } from '../../src/shared/log-format.js';
import { createLogger } from '../../src/shared/logger.js';

describe('the log format', () => {
  it('is human-readable in a terminal outside production, JSON otherwise, and LOG_FORMAT forces either', () => {
    expect(wantsPrettyLogs({ logFormat: 'auto', env: 'development' }, true)).toBe(true);
    expect(wantsPrettyLogs({ logFormat: 'auto', env: 'development' }, false)).toBe(false);
    expect(wantsPrettyLogs({ logFormat: 'auto', env: 'development' }, undefined)).toBe(false);
    expect(wantsPrettyLogs({ logFormat: 'auto', env: 'production' }, true)).toBe(false);
    expect(wantsPrettyLogs({ logFormat: 'pretty', env: 'production' }, false)).toBe(true);
    expect(wantsPrettyLogs({ logFormat: 'json', env: 'development' }, true)).toBe(false);
  });

  it('writes pretty lines through pino-pretty, with secrets still redacted', async () => {
    const logs = await logDestination({ logFormat: 'pretty', env: 'development' }, false);
    expect(logs.pretty).toBe(true);
    expect(logs.warning).toBeUndefined();
    const json = await logDestination({ logFormat: 'json', env: 'development' }, true);
    expect(json).toEqual({ pretty: false });

    // The same pino-pretty options, into a buffer instead of stdout.
    const { default: pretty } = await import('pino-pretty');
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    const logger = createLogger('info', pretty({ destination: sink, colorize: false, sync: true, ignore: 'pid,hostname,service', singleLine: true }));
    logger.info({ password: 'hunter2', requestId: 'r1' }, 'signed in');
    expect(text).toMatch(/INFO.*signed in/);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('hunter2');
    expect(() => JSON.parse(text)).toThrow();
  });
});

describe('the start banner', () => {
  const links = {
    url: 'http://localhost:4000/graphql',
    wsUrl: 'ws://localhost:4000/graphql',
    metricsUrl: 'http://localhost:4000/metrics',
    chatUrl: 'http://localhost:4000/chat',
  };

  it('says where to click: the IDE, the chat page and the metrics, one per line for a person', () => {
    const { message } = startBanner(links, true);
    expect(message.split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/IDE \(Altair\)\s+http:\/\/localhost:4000\/graphql$/),
        expect.stringMatching(/Chat page\s+http:\/\/localhost:4000\/chat$/),
        expect.stringMatching(/Metrics\s+http:\/\/localhost:4000\/metrics$/),
        expect.stringMatching(/over SSE\s+http:\/\/localhost:4000\/graphql\/stream$/),
      ]),
    );
    expect(startBanner({ ...links, chatUrl: undefined }, true).message).toMatch(/Chat page\s+off \(CHAT_UI=true serves it\)/);
  });

  it('is one line with the links as fields for a log pipeline', () => {
    const { message, fields } = startBanner(links, false);
    expect(message).not.toContain('\n');
    expect(fields).toEqual({ url: links.url, ws: links.wsUrl, sse: `${links.url}/stream`, chat: links.chatUrl, metrics: links.metricsUrl });
  });
});
