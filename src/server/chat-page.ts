import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../shared/logger.js';

export interface ChatPageOptions {
  /** Where the bundle is (chat-ui/dist from `npm run build:chat`). */
  dir?: string;
  /** Prefilled on the sign-in form when the demo data is seeded. */
  demo: { username: string; password: string } | null;
  logger: Pick<Logger, 'warn'>;
}

/** chat-ui/dist of this checkout, from src/server (tsx) or dist/src/server (the build) alike. */
export function defaultChatUiDir(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'chat-ui', 'dist');
}

/**
 * GET /chat: the reference chat page, a static bundle built ahead of time (nothing from a CDN),
 * plus /chat/config.json, the one thing it learns from the server.
 */
export function chatPageRouter({ dir = defaultChatUiDir(), demo, logger }: ChatPageOptions): Router {
  const router = express.Router();
  const built = existsSync(join(dir, 'index.html'));
  if (!built) logger.warn({ dir }, 'CHAT_UI is on but the chat page is not built: run `npm run build:chat`');
  router.get('/chat/config.json', (_req: Request, res: Response) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ demo });
  });
  router.get('/chat', (_req: Request, res: Response) => {
    if (!built) {
      res.status(404).type('text').send('The chat page is not built: run `npm run build:chat`, then restart.');
      return;
    }
    res.setHeader('content-security-policy', "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'");
    res.sendFile(join(dir, 'index.html'));
  });
  router.use('/chat', express.static(dir, { index: false, maxAge: '1h' }));
  return router;
}
