import type { ValidateFunction } from 'ajv';
import { badUserInput } from '../../shared/errors.js';
import type { BudgetDoc } from '../budget/budget-document.service.js';
import type { CardDoc } from '../cards/card-document.service.js';
import type { ChatSessionDoc } from '../chat/chat-document.service.js';
import type { JournalEntryDoc, PreferencesDoc, TemplateDoc } from '../drafts/drafts-document.service.js';
import type { GoalDoc, PlansDoc } from '../plans/plans-document.service.js';
import { budgetSchema, checkBudget } from './budget.portability.js';
import { cardsSchema, checkCards } from './cards.portability.js';
import { chatSessionsSchema, checkChatSessions } from './chat.portability.js';
import { Invalid, record, schemaProblem } from './document-schema.js';
import { checkJournalEntries, checkPreferences, checkTemplates, journalEntriesSchema, preferencesSchema, templatesSchema } from './drafts.portability.js';
import { checkGoals, checkPlans, goalsSchema, plansSchema } from './plans.portability.js';
import { checkTransactions, transactionsSchema, type TransactionsDoc } from './transactions.portability.js';

export const EXPORT_FORMAT = 'coach-gateway/export';
export const EXPORT_VERSION = 1;

/** What exportMyData returns and importMyData accepts: each module's slice. Never ids, hashes or tokens. */
export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  preferences: PreferencesDoc;
  templates: TemplateDoc[];
  chatSessions: ChatSessionDoc[];
  journalEntries: JournalEntryDoc[];
  /** Optional on import (documents from before cards have none). */
  cards: CardDoc[];
  /** Optional on import (documents from before goals have none). */
  goals: GoalDoc[];
  /** Optional on import. */
  plans: PlansDoc;
  /** Null (or absent on import) when the caller never set one up. */
  budget: BudgetDoc | null;
  /** Manual transactions, categorization rules and linked accounts' transactions; optional on import. */
  transactions: TransactionsDoc;
}

/** The whole document's shape, each member declared by its slice. */
const DOCUMENT = record(
  {
    format: { const: EXPORT_FORMAT, hint: `must be "${EXPORT_FORMAT}"` },
    version: { const: EXPORT_VERSION, hint: `must be ${EXPORT_VERSION}: this server reads no other version` },
    exportedAt: {},
    preferences: preferencesSchema,
    templates: templatesSchema,
    chatSessions: chatSessionsSchema,
    journalEntries: journalEntriesSchema,
    cards: cardsSchema,
    goals: goalsSchema,
    plans: plansSchema,
    budget: budgetSchema,
    transactions: transactionsSchema,
  },
  ['exportedAt', 'cards', 'goals', 'plans', 'budget', 'transactions'],
);

let validator: Promise<ValidateFunction> | undefined;

/** Compiled at the first import, not at start: ajv is ~60 files and compiling takes a while. */
function validate(): Promise<ValidateFunction> {
  return (validator ??= import('ajv').then(({ Ajv }) => {
    // unicode: false (deprecated, still honoured) counts UTF-16 units as the API's caps do; silent, or it says so at every compile.
    const ajv = new Ajv({ allErrors: false, verbose: true, allowUnionTypes: true, unicode: false, logger: false });
    ajv.addKeyword({ keyword: 'hint', schemaType: 'string' });
    return ajv.compile(DOCUMENT);
  }));
}

/** The whole document checked before anything is written; BAD_USER_INPUT names the first bad path. */
export async function parseExportDocument(input: unknown): Promise<ExportDocument> {
  const check = await validate();
  try {
    if (!check(input)) throw schemaProblem(check.errors![0]!, '(document)');
    return semantics(input as Partial<ExportDocument> & Pick<ExportDocument, 'preferences' | 'templates' | 'chatSessions' | 'journalEntries'>);
  } catch (error) {
    if (error instanceof Invalid) throw badUserInput([{ field: error.path, message: error.message }]);
    throw error;
  }
}

/** What the schema cannot say: indexes into other lists, names given twice, real days and instants. */
function semantics(doc: Partial<ExportDocument> & Pick<ExportDocument, 'preferences' | 'templates' | 'chatSessions' | 'journalEntries'>): ExportDocument {
  const preferences = checkPreferences(doc.preferences);
  checkTemplates(doc.templates);
  const goals = checkGoals(doc.goals ?? []);
  const chatSessions = checkChatSessions(doc.chatSessions, goals.length);
  const journalEntries = checkJournalEntries(doc.journalEntries, chatSessions.length);
  const cards = checkCards(doc.cards ?? []);
  const plans = checkPlans(doc.plans ?? { weeks: [], days: [] }, goals.length);
  const budget = checkBudget(doc.budget ?? null);
  const transactions = checkTransactions(doc.transactions);
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: typeof doc.exportedAt === 'string' ? doc.exportedAt : '',
    preferences,
    templates: doc.templates,
    chatSessions,
    journalEntries,
    cards,
    goals,
    plans,
    budget,
    transactions,
  };
}
