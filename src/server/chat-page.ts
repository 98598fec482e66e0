import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../shared/logger.js';

export interface ChatPageOptions {
  /** Where the bundle is (chat-ui/dist from `npm run build:chat`). */
  dir?: string;
  /** Prefilled on the sign-in form when the demo data is seeded. */
  demo: { username: string; password: string } | null;
  logger: Pick<Logger, 'warn'>;
  /** Serve the bundle's *.map files (CHAT_UI_SOURCE_MAPS): 1.5 MB of source, off unless asked for. */
  sourceMaps?: boolean;
}

/** Sent on every response under /chat, the page and its files alike: the page is never framed nor sniffed. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

/**
 * chat-ui/dist of this checkout, from src/server (tsx), dist/src/server or dist/bundle alike: the
 * first folder up with a package.json and a chat-ui/ (dist/bundle has a package.json of its own).
 */
export function defaultChatUiDir(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'chat-ui'))) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'chat-ui', 'dist');
}

/**
 * GET /chat: the reference chat page, a static bundle built ahead of time (nothing from a CDN),
 * plus /chat/config.json, the one thing it learns from the server.
 */
export function chatPageRouter({ dir = defaultChatUiDir(), demo, logger, sourceMaps = false }: ChatPageOptions): Router {
  const router = express.Router();
  const built = existsSync(join(dir, 'index.html'));
  if (!built) logger.warn({ dir }, 'CHAT_UI is on but the chat page is not built: run `npm run build:chat`');
  router.use('/chat', (req: Request, res: Response, next: NextFunction) => {
    res.set(PAGE_HEADERS);
    if (!sourceMaps && req.path.endsWith('.map')) {
      res.status(404).type('text').send('Source maps are not served: set CHAT_UI_SOURCE_MAPS=true to debug the chat page.');
      return;
    }
    next();
  });
  router.get('/chat/config.json', (_req: Request, res: Response) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ demo });
  });
  // /chat and /chat/index.html are one page: the static files below never answer for index.html.
  router.get(['/chat', '/chat/index.html'], (_req: Request, res: Response) => {
    if (!built) {
      res.status(404).type('text').send('The chat page is not built: run `npm run build:chat`, then restart.');
      return;
    }
    res.sendFile(join(dir, 'index.html'));
  });
  router.use('/chat', express.static(dir, { index: false, maxAge: '1h' }));
  // Answered here, not by the app's last handler, so a missing file carries the page's headers too.
  router.use('/chat', (_req: Request, res: Response) => {
    res.status(404).type('text').send('Not found');
  });
  return router;
}
