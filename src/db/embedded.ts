import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface EmbeddedPostgres {
  url: string;
  /** Where the data lives, or "memory". */
  location: string;
  stop(): Promise<void>;
}

/**
 * PGlite exposed on a loopback port, so the ordinary `pg` driver (and so MikroORM)
 * connects to it exactly as to a real server. `dataDir` "memory" keeps nothing.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const memory = dataDir === 'memory';
  const location = memory ? 'memory' : path.resolve(dataDir, 'pg');
  if (!memory) await mkdir(location, { recursive: true });
  // Imported here, not at the top: in the bundle (scripts/bundle.ts) a top-level import of an external loads at every start.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')]);
  const db = await PGlite.create(memory ? 'memory://' : location);
  // PGlite runs one statement at a time; the socket server queues connections and
  // keeps each transaction to its own connection, so a pool can share it safely.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 100 });
  await server.start();
  return {
    url: `postgresql://postgres:postgres@${server.getServerConn()}/postgres`,
    location,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
