import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import { pageSize, timeIdCursor, toPage, type Page } from '../../shared/pagination.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { JournalEntry, SEARCH_CONFIG } from './journal-entry.entity.js';

export interface JournalListArgs {
  first?: number | null;
  after?: string | null;
  search?: string | null;
}

export class JournalService {
  constructor(private readonly em: EntityManager) {}

  /** Newest first; `search` is PostgreSQL full-text search over title and sections (websearch syntax). */
  async list(auth: AuthInfo, args: JournalListArgs): Promise<Page<JournalEntry>> {
    const limit = pageSize(args.first);
    const cursor = timeIdCursor(args.after);
    const search = args.search?.trim() ?? '';
    if (search.length > SIZE_CAPS.searchText) {
      throw badUserInput([{ field: 'search', message: `must be at most ${SIZE_CAPS.searchText} characters` }]);
    }
    const base = () => {
      const qb = this.em.createQueryBuilder(JournalEntry, 'j').where({ user: auth.userId });
      if (search) qb.andWhere(`to_tsvector('${SEARCH_CONFIG}', j.search_text) @@ websearch_to_tsquery('${SEARCH_CONFIG}', ?)`, [search]);
      return qb;
    };
    const page = base();
    if (cursor) page.andWhere({ $or: [{ createdAt: { $lt: cursor.at } }, { createdAt: cursor.at, id: { $lt: cursor.id } }] });
    page.orderBy([{ createdAt: 'desc' }, { id: 'desc' }]).limit(limit + 1);
    const [rows, total] = await Promise.all([page.getResultList(), base().getCount()]);
    return toPage(rows, limit, (e) => [e.createdAt.toISOString(), e.id], total, { forward: true, hadCursor: !!cursor });
  }

  async get(auth: AuthInfo, id: string): Promise<JournalEntry> {
    const entry = isUuid(id) ? await this.em.findOne(JournalEntry, { id, user: auth.userId }) : null;
    if (!entry) throw notFound('Journal entry');
    return entry;
  }

  async delete(auth: AuthInfo, id: string): Promise<boolean> {
    const deleted = isUuid(id) ? await this.em.nativeDelete(JournalEntry, { id, user: auth.userId }) : 0;
    if (deleted === 0) throw notFound('Journal entry');
    return true;
  }
}
