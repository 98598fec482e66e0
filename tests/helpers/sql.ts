import type { TestServer } from './server.js';

/**
 * The number of SQL statements the server's ORM sends while `work` runs (all of its SQL
 * goes through knex). The session cache starts cold, so each request's session lookup is
 * counted whatever the timing: whether an entry had expired must not change the figure.
 */
export async function countStatements(server: TestServer, work: () => Promise<unknown>): Promise<number> {
  server.app.deps.sessionCache.clear();
  const knex = server.app.orm.em.getConnection().getKnex();
  let count = 0;
  const listener = () => count++;
  knex.on('query', listener);
  try {
    await work();
  } finally {
    knex.removeListener('query', listener);
  }
  return count;
}
