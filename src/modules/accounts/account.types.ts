import type { Account } from './account.entity.js';

/** What a read of an account answers with: the entity's fields as a plain object, never managed by the ORM. */
export type AccountView = Pick<
  Account,
  'id' | 'createdAt' | 'updatedAt' | 'number' | 'name' | 'currency' | 'balance' | 'status' | 'entrySeq' | 'system' | 'ownerId'
>;
