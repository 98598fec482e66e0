import type { TestServer } from './server.js';

/**
 * The number of SQL statements the server's ORM sends while `work` runs (all of its SQL
 * goes through knex). The server must be started with `maintenance: false`, so no
 * background timer sends statements of its own. The session cache starts cold, so each
 * request's session lookup is counted whatever the timing: whether an entry had expired
 * must not change the figure. Nor may the session's once-a-minute last-seen touch, which
 * lands in whichever request crosses the minute: it is not counted.
 */
const LAST_SEEN_TOUCH = /^update "auth_session" set "last_seen_at" = \S+ where "id" = \S+$/;

export async function countStatements(server: TestServer, work: () => Promise<unknown>): Promise<number> {
  const knex = server.app.orm.em.getConnection().getKnex();
  server.app.deps.sessionCache.clear();
  let count = 0;
  const listener = (query: { sql?: string }) => {
    if (!LAST_SEEN_TOUCH.test(query.sql ?? '')) count++;
  };
  knex.on('query', listener);
  try {
    await work();
  } finally {
    knex.removeListener('query', listener);
  }
  return count;
}
