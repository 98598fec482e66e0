import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { AccountResolver } from '../modules/accounts/account.resolver.js';
import { AGENT_EVENT_TYPES } from '../modules/agent/agent.events.js';
import { AgentResolver, ChatSessionRunResolver } from '../modules/agent/agent.resolver.js';
import { BranchingResolver } from '../modules/agent/branching.resolver.js';
import { AuditResolver } from '../modules/audit/audit.resolver.js';
import { AuthResolver, AuthSessionResolver } from '../modules/auth/auth.resolver.js';
import {
  BudgetResolver,
  CardPaymentJarResolver,
  FeeResolver,
  JarMonthResolver,
  JarResolver,
  SpendingInsightsResolver,
} from '../modules/budget/budget.resolver.js';
import { AccountCardsResolver, CardPaymentResolver, CardResolver } from '../modules/cards/card.resolver.js';
import { ChatResolver } from '../modules/chat/chat.resolver.js';
import { MessageResolver } from '../modules/chat/message.resolver.js';
import { ChatSessionDraftResolver, DraftsResolver } from '../modules/drafts/drafts.resolver.js';
import { PreferencesResolver } from '../modules/preferences/preferences.resolver.js';
import { GroupExpenseResolver, GroupInvitationResolver, GroupResolver, SettlementResolver } from '../modules/groups/groups.resolver.js';
import { GoalResolver, PlanResolver } from '../modules/plans/plans.resolver.js';
import { PortabilityResolver } from '../modules/portability/portability.resolver.js';
import { FlagsResolver } from '../flags/flags.resolver.js';
import { AccountLedgerResolver, LedgerEntryResolver, StatementResolver } from '../modules/transfers/ledger.resolver.js';
import { TransferResolver } from '../modules/transfers/transfer.resolver.js';
import { LinkingResolver, TransactionLinkedAccountResolver } from '../modules/linking/linking.resolver.js';
import { TransactionResolver } from '../modules/transactions/transaction.resolver.js';
import { InsightsTransactionsResolver, JarMonthTransactionsResolver, TransactionJarResolver } from '../modules/budget/transaction-jar.resolver.js';
import { authChecker } from './auth-checker.js';
import { guardInputs } from './input-guard.js';
import { DateTimeScalar } from '../shared/scalars.js';

const RESOLVERS = [
  AuthResolver,
  AuthSessionResolver,
  AccountResolver,
  AccountLedgerResolver,
  TransferResolver,
  LedgerEntryResolver,
  StatementResolver,
  CardResolver,
  CardPaymentResolver,
  AccountCardsResolver,
  BudgetResolver,
  JarResolver,
  JarMonthResolver,
  FeeResolver,
  SpendingInsightsResolver,
  CardPaymentJarResolver,
  TransactionResolver,
  LinkingResolver,
  TransactionLinkedAccountResolver,
  TransactionJarResolver,
  JarMonthTransactionsResolver,
  InsightsTransactionsResolver,
  ChatResolver,
  MessageResolver,
  DraftsResolver,
  ChatSessionDraftResolver,
  PreferencesResolver,
  PortabilityResolver,
  FlagsResolver,
  GoalResolver,
  PlanResolver,
  AgentResolver,
  ChatSessionRunResolver,
  BranchingResolver,
  AuditResolver,
  GroupResolver,
  GroupInvitationResolver,
  GroupExpenseResolver,
  SettlementResolver,
] as const;

/**
 * type-graphql requires a pubSub even though every @Subscription here passes its own
 * `subscribe` over the typed PubSub (src/pubsub); this guard makes a topic-style one fail loudly.
 */
const topicSubscriptionsRefused = {
  publish(): never {
    throw new Error('Publish through the typed PubSub in src/pubsub');
  },
  subscribe(): never {
    throw new Error('@Subscription must pass `subscribe:` over the typed PubSub in src/pubsub');
  },
};

export interface BuildAppSchemaOptions {
  /**
   * Run type-graphql's own check, an introspection query over the whole schema (about 70 % of
   * buildSchema's time). `npm run check:schema` runs it; a start skips it, as the schema is the same
   * classes and Apollo Server validates it (assertValidSchema) before serving.
   */
  check?: boolean;
}

export async function buildAppSchema({ check = false }: BuildAppSchemaOptions = {}): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    skipCheck: !check,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    authChecker,
    pubSub: topicSubscriptionsRefused,
    orphanedTypes: AGENT_EVENT_TYPES,
    validate: { forbidUnknownValues: false, stopAtFirstError: false },
  });
  guardInputs(schema);
  describeRoots(schema);
  return schema;
}

/** type-graphql has no option to describe the root types; the IDE's Docs panel opens on them. */
function describeRoots(schema: GraphQLSchema): void {
  const roots = [
    [schema.getQueryType(), 'Everything readable. Every field needs "Authorization: Bearer <access token>" and answers only what the caller owns.'],
    [
      schema.getMutationType(),
      'Everything that changes state. Every mutation needs "Authorization: Bearer <access token>" except register, login and refreshSession.',
    ],
    [
      schema.getSubscriptionType(),
      'Live events over graphql-ws (WebSocket), Apollo multipart HTTP or SSE at /graphql/stream. Each needs a signed-in caller; a revoked session or an expired access token ends it with UNAUTHENTICATED.',
    ],
  ] as const;
  for (const [type, description] of roots) if (type) type.description = description;
}

/** The text checked in as schema.graphql. */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
