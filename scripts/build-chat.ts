// Bundles the chat page (chat-ui/) into chat-ui/dist: one script, one stylesheet, one page; nothing from a CDN.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CHAT_UI_DIST = join(ROOT, 'chat-ui', 'dist');

export async function buildChatUi(outDir = CHAT_UI_DIST): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'chat-ui', 'src', 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Apollo Client's production build: no dev-only warnings or their message tables.
    conditions: ['production'],
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  await copyFile(join(ROOT, 'chat-ui', 'src', 'styles.css'), join(outDir, 'app.css'));
  await copyFile(join(ROOT, 'chat-ui', 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(ROOT, 'chat-ui', 'favicon.svg'), join(outDir, 'favicon.svg'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildChatUi();
  console.log(`chat page built into ${CHAT_UI_DIST}`);
}
