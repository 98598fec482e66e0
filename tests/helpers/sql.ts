import type { TestServer } from './server.js';

/** The number of SQL statements the server's ORM sends while `work` runs (all of its SQL goes through knex). */
export async function countStatements(server: TestServer, work: () => Promise<unknown>): Promise<number> {
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
