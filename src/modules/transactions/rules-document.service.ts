import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { ormSql } from '../../db/orm-sql.js';
import type { SpendingCategory } from '../cards/mcc.rules.js';

/* Categorization rules in the export document: a receiving account by its number (ids never leave), a merchant by name. */

export interface CategorizationRuleDoc {
  /** The receiving account's number, or null for a merchant's rule. */
  accountNumber: string | null;
  /** The merchant (lower case), or null for an account's rule. */
  merchant: string | null;
  category: SpendingCategory;
  /** A rule applies to transactions that came after it. */
  createdAt: string;
}

export class RulesDocumentService {
  constructor(private readonly em: EntityManager) {}

  async exportRules(userId: string): Promise<CategorizationRuleDoc[]> {
    const rows = await ormSql<{ counterparty: string; category: SpendingCategory; number: string | null; created_at: Date }>(
      this.em,
      `select r."counterparty", r."category", a."number", r."created_at" from "categorization_rule" r
        left join "account" a on r."counterparty" = 'account:' || a."id"::text
       where r."user_id" = ? order by r."created_at", r."id"`,
      [userId],
    );
    return rows.flatMap((r): CategorizationRuleDoc[] => {
      const createdAt = new Date(r.created_at).toISOString();
      if (r.counterparty.startsWith('merchant:'))
        return [{ accountNumber: null, merchant: r.counterparty.slice('merchant:'.length), category: r.category, createdAt }];
      return r.number ? [{ accountNumber: r.number, merchant: null, category: r.category, createdAt }] : [];
    });
  }

  /** A rule for a counterparty the caller has one for already keeps the caller's; an account number no account has is skipped. */
  async restoreRulesInto(em: EntityManager, userId: string, docs: CategorizationRuleDoc[], now: Date): Promise<number> {
    let added = 0;
    for (const d of docs) {
      let counterparty = d.merchant === null ? null : `merchant:${d.merchant.toLowerCase()}`;
      if (d.accountNumber !== null) {
        const [account] = await ormSql<{ id: string }>(em, `select "id" from "account" where "number" = ?`, [d.accountNumber]);
        counterparty = account ? `account:${account.id}` : null;
      }
      if (counterparty === null) continue;
      const inserted = await ormSql(
        em,
        `insert into "categorization_rule" ("id", "created_at", "updated_at", "user_id", "counterparty", "category")
         values (?, ?, ?, ?, ?, ?::spending_category) on conflict ("user_id", "counterparty") do nothing returning "id"`,
        [uuidv7(), new Date(d.createdAt), now, userId, counterparty, d.category],
      );
      added += inserted.length;
    }
    return added;
  }
}
