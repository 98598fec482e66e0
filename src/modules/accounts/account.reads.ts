import type { EntityManager } from '@mikro-orm/postgresql';
import { Account } from './account.entity.js';

/** The user's customer accounts, oldest first, on `em` (an import's transaction relinks cards and goals to them). */
export function customerAccounts(em: EntityManager, userId: string): Promise<Account[]> {
  return em.find(Account, { user: userId, system: false }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}
