import type { TestServer } from './server.js';

/**
 * The number of SQL statements the server's ORM sends while `work` runs (all of its SQL
 * goes through knex). The session cache starts cold, so each request's session lookup is
 * counted whatever the timing: whether an entry had expired must not change the figure.
 * Background timers (the agent runner's sweep every 10 s, heartbeats) send statements of
 * their own that knex cannot tell apart, so `work` (a read: it must be repeatable) runs
 * twice and the smaller count is the work's.
 */
export async function countStatements(server: TestServer, work: () => Promise<unknown>): Promise<number> {
  const knex = server.app.orm.em.getConnection().getKnex();
  const counts: number[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    server.app.deps.sessionCache.clear();
    let count = 0;
    const listener = () => count++;
    knex.on('query', listener);
    try {
      await work();
    } finally {
      knex.removeListener('query', listener);
    }
    counts.push(count);
  }
  return Math.min(...counts);
}
