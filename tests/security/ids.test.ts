import { randomUUID } from 'node:crypto';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isAbstractType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddPlanItemDocument,
  AuthSessionsDocument,
  CreateGoalDocument,
  FinalizeDraftDocument,
  SaveTemplateDocument,
  UpdateDraftDocument,
  CreateTransferDocument,
  IssueCardDocument,
  CreateFeeDocument,
  CreateJarDocument,
  RecordCardPaymentDocument,
  SessionMessagesDocument,
  CreateGroupDocument,
  InviteToGroupDocument,
  AddGroupExpenseDocument,
  GroupChatDocument,
  RecordManualTransactionDocument,
  InstitutionsDocument,
  StartAccountLinkDocument,
  CompleteAccountLinkDocument,
} from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { converse } from '../helpers/agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { countStatements } from '../helpers/sql.js';

/** What each ID argument names. A new ID argument fails the first test until it is listed here. */
type Kind =
  | 'account'
  | 'card'
  | 'transfer'
  | 'chatSession'
  | 'agentRun'
  | 'journalEntry'
  | 'template'
  | 'authSession'
  | 'jar'
  | 'fee'
  | 'cardPayment'
  | 'goal'
  | 'planItem'
  | 'user'
  | 'message'
  | 'group'
  | 'groupExpense'
  | 'groupExpenseProposal'
  | 'invitation'
  | 'transaction'
  | 'linkedAccount'
  | 'linkSession'
  | 'institution';
const NAMES: Record<string, Kind> = {
  'Query.account.id': 'account',
  'Query.auditLog.userId': 'user',
  'Query.card.id': 'card',
  'Query.cardPayments.accountId': 'account',
  'Query.cards.accountId': 'account',
  'Query.agentRun.id': 'agentRun',
  'Query.chatSession.id': 'chatSession',
  'Query.journalEntry.id': 'journalEntry',
  'Query.transfer.id': 'transfer',
  'Query.transfers.accountId': 'account',
  'Mutation.activateTemplate.id': 'template',
  'Mutation.archiveChatSession.id': 'chatSession',
  'Mutation.cancelAgentRun.id': 'agentRun',
  'Mutation.cancelCard.id': 'card',
  'Mutation.freezeCard.id': 'card',
  'Mutation.issueCard.input.accountId': 'account',
  'Mutation.recordCardPayment.input.cardId': 'card',
  'Mutation.unfreezeCard.id': 'card',
  'Mutation.updateCard.id': 'card',
  'Mutation.cancelTransfer.id': 'transfer',
  'Mutation.closeAccount.id': 'account',
  'Mutation.confirmTransfer.id': 'transfer',
  'Mutation.createTransfer.input.fromAccountId': 'account',
  'Mutation.createTransfer.input.toAccountId': 'account',
  'Mutation.deleteChatSession.id': 'chatSession',
  'Mutation.deleteJournalEntry.id': 'journalEntry',
  'Mutation.discardDraft.sessionId': 'chatSession',
  'Mutation.finalizeDraft.sessionId': 'chatSession',
  'Mutation.recordDeposit.input.accountId': 'account',
  'Mutation.renameAccount.id': 'account',
  'Mutation.renameChatSession.id': 'chatSession',
  'Mutation.revokeAuthSession.id': 'authSession',
  'Mutation.saveTemplate.input.id': 'template',
  'Mutation.sendMessage.input.sessionId': 'chatSession',
  'Mutation.updateDraft.input.sessionId': 'chatSession',
  'Query.jar.id': 'jar',
  'Mutation.updateJar.id': 'jar',
  'Mutation.archiveJar.id': 'jar',
  'Mutation.assignPaymentToJar.paymentId': 'cardPayment',
  'Mutation.assignPaymentToJar.jarId': 'jar',
  'Mutation.createFee.input.jarId': 'jar',
  'Mutation.updateFee.id': 'fee',
  'Mutation.updateFee.input.jarId': 'jar',
  'Mutation.deleteFee.id': 'fee',
  'Query.goal.id': 'goal',
  'Mutation.createGoal.input.accountId': 'account',
  'Mutation.updateGoal.id': 'goal',
  'Mutation.updateGoal.input.accountId': 'account',
  'Mutation.deleteGoal.id': 'goal',
  'Mutation.addPlanItem.input.goalId': 'goal',
  'Mutation.updatePlanItem.id': 'planItem',
  'Mutation.updatePlanItem.input.goalId': 'goal',
  'Mutation.movePlanItem.id': 'planItem',
  'Mutation.deletePlanItem.id': 'planItem',
  'Mutation.createChatSession.input.context.goalId': 'goal',
  'Mutation.regenerateMessage.messageId': 'message',
  'Mutation.editMessage.messageId': 'message',
  'Mutation.switchBranch.messageId': 'message',
  'Query.group.id': 'group',
  'Mutation.renameGroup.id': 'group',
  'Mutation.leaveGroup.id': 'group',
  'Mutation.removeGroupMember.groupId': 'group',
  'Mutation.removeGroupMember.userId': 'user',
  'Mutation.inviteToGroup.groupId': 'group',
  'Mutation.respondToInvitation.id': 'invitation',
  'Mutation.revokeInvitation.id': 'invitation',
  'Mutation.addGroupExpense.input.groupId': 'group',
  'Mutation.addGroupExpense.input.paidBy.userId': 'user',
  'Mutation.addGroupExpense.input.shares.userId': 'user',
  'Mutation.updateGroupExpense.id': 'groupExpense',
  'Mutation.updateGroupExpense.input.paidBy.userId': 'user',
  'Mutation.updateGroupExpense.input.shares.userId': 'user',
  'Mutation.deleteGroupExpense.id': 'groupExpense',
  'Mutation.confirmGroupExpense.proposalId': 'groupExpenseProposal',
  'Mutation.settleUp.input.groupId': 'group',
  'Mutation.settleUp.input.toUserId': 'user',
  'Mutation.settleUp.input.fromAccountId': 'account',
  'Mutation.recordOutsideSettlement.groupId': 'group',
  'Mutation.recordOutsideSettlement.fromUserId': 'user',
  'Query.transaction.id': 'transaction',
  'Query.transactions.filter.accountId': 'account',
  'Query.transactions.filter.linkedAccountId': 'linkedAccount',
  'Mutation.recordManualTransaction.input.jarId': 'jar',
  'Mutation.updateManualTransaction.id': 'transaction',
  'Mutation.deleteManualTransaction.id': 'transaction',
  'Mutation.categorizeTransaction.id': 'transaction',
  'Mutation.assignTransactionToJar.id': 'transaction',
  'Mutation.assignTransactionToJar.jarId': 'jar',
  'Query.linkedAccount.id': 'linkedAccount',
  'Mutation.syncLinkedAccount.id': 'linkedAccount',
  'Mutation.unlinkAccount.id': 'linkedAccount',
  'Mutation.startAccountLink.input.relinkAccountId': 'linkedAccount',
  'Mutation.completeAccountLink.input.linkSessionId': 'linkSession',
  // Institutions belong to no one: the aggregator's list is everyone's, so "another user's" is one it does not have.
  'Mutation.startAccountLink.input.institutionId': 'institution',
};

/** Valid values for the other arguments, so the id is the only thing wrong. */
const FILL: Record<string, unknown> = {
  name: 'Renamed',
  title: 'Renamed',
  currency: 'USD',
  amountMinor: '100',
  text: 'hello',
  description: 'test',
  merchantCategoryCode: '5411',
  nextDueOn: '2030-01-01',
  date: '2026-12-01',
  occurredOn: '2026-12-01',
  username: 'nobody',
  publicToken: 'public-x',
};

const BAD_IDS: Array<[string, () => string]> = [
  ['"x"', () => 'x'],
  ['the empty string', () => ''],
  ['a 10 KB string', () => 'a'.repeat(10 * 1024)],
];

let server: TestServer;
let schema: GraphQLSchema;
let attacker: TestUser;
let operatorToken: string;
const victims = {} as Record<Kind, string>;
let ownAccount: string;

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, maintenance: false });
  operatorToken = await loginOperator(server);
  attacker = await registerUser(server);
  const victim = await registerUser(server);
  ownAccount = (await openAccount(server, attacker.token)).id;

  const [a, b] = [await openAccount(server, victim.token), await openAccount(server, victim.token)];
  await deposit(server, operatorToken, a.id, 10_000);
  const transfer = await server.ok(
    CreateTransferDocument,
    { input: { fromAccountId: a.id, toAccountId: b.id, amountMinor: '100', currency: 'USD', idempotencyKey: key() } },
    { token: victim.token },
  );
  const session = await createSession(server, victim.token, 'JOURNALING');
  await server.ok(UpdateDraftDocument, { input: { sessionId: session.id, sections: [{ name: 'Feelings', content: 'calm' }] } }, { token: victim.token });
  const entry = await server.ok(FinalizeDraftDocument, { sessionId: session.id }, { token: victim.token });
  // Followed to its end: a run still writing its events would count in the statement test below.
  const run = await converse(server, victim.token, session.id, 'hello');
  const template = await server.ok(
    SaveTemplateDocument,
    { input: { name: 'Mine', sections: [{ name: 'Wins', description: 'What went well' }] } },
    { token: victim.token },
  );
  const sessions = await server.ok(AuthSessionsDocument, {}, { token: victim.token });
  const card = await server.ok(IssueCardDocument, { input: { accountId: a.id, kind: 'VIRTUAL' } }, { token: victim.token });
  const jar = await server.ok(CreateJarDocument, { input: { name: 'Groceries', allocationBasisPoints: 1000 } }, { token: victim.token });
  const fee = await server.ok(
    CreateFeeDocument,
    { input: { name: 'Rent', amountMinor: '100', currency: 'USD', cadence: 'MONTHLY', nextDueOn: '2030-01-01' } },
    { token: victim.token },
  );
  const payment = await server.ok(
    RecordCardPaymentDocument,
    { input: { cardId: card.issueCard.id, merchant: 'Shop', merchantCategoryCode: '5411', amountMinor: '100', currency: 'USD', idempotencyKey: key() } },
    { token: operatorToken },
  );
  const messages = await server.ok(SessionMessagesDocument, { id: session.id, last: 1 }, { token: victim.token });
  const third = await registerUser(server);
  const group = (await server.ok(CreateGroupDocument, { input: { name: 'Theirs', currency: 'USD' } }, { token: victim.token })).createGroup.id;
  const invitation = (await server.ok(InviteToGroupDocument, { groupId: group, username: third.user.username }, { token: victim.token })).inviteToGroup;
  const expense = await server.ok(
    AddGroupExpenseDocument,
    { input: { groupId: group, description: 'Rent', amountMinor: '900', occurredOn: '2026-12-01', splitMode: 'EQUAL' } },
    { token: victim.token },
  );
  const groupChat = (await server.ok(GroupChatDocument, { id: group }, { token: victim.token })).group.chatSession.id;
  const proposed = await converse(server, victim.token, groupChat, 'split 9 dollars rent equally');
  const proposal = (proposed.run.toolCalls.find((c) => c.tool === 'propose_group_expense')!.result as { proposalId: string }).proposalId;
  const manual = await server.ok(
    RecordManualTransactionDocument,
    { input: { amountMinor: '300', currency: 'USD', description: 'Cash', category: 'DINING', occurredOn: '2026-12-01' } },
    { token: victim.token },
  );
  const bank = (await server.ok(InstitutionsDocument, { search: null }, { token: victim.token })).institutions[0]!.id;
  const linkSession = (await server.ok(StartAccountLinkDocument, { input: { institutionId: bank } }, { token: victim.token })).startAccountLink;
  const consent = new URL(linkSession.linkUrl);
  const minted = (await (
    await fetch(new URL('/sandbox/public_token/create', consent), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ link_token: consent.pathname.split('/').pop() }),
    })
  ).json()) as { public_token: string };
  const linked = await server.ok(
    CompleteAccountLinkDocument,
    { input: { linkSessionId: linkSession.id, publicToken: minted.public_token } },
    { token: victim.token },
  );
  const secondSession = (await server.ok(StartAccountLinkDocument, { input: { institutionId: bank } }, { token: victim.token })).startAccountLink;
  const goal = await server.ok(CreateGoalDocument, { input: { title: 'Private', horizon: 'WEEK' } }, { token: victim.token });
  const item = await server.ok(AddPlanItemDocument, { input: { date: '2026-12-01', title: 'Private' } }, { token: victim.token });
  Object.assign(victims, {
    jar: jar.createJar.id,
    fee: fee.createFee.id,
    cardPayment: payment.recordCardPayment.id,
    user: victim.user.id,
    account: a.id,
    card: card.issueCard.id,
    transfer: transfer.createTransfer.id,
    chatSession: session.id,
    agentRun: run.run.id,
    journalEntry: entry.finalizeDraft.id,
    template: template.saveTemplate.id,
    authSession: sessions.authSessions[0]!.id,
    goal: goal.createGoal.id,
    planItem: item.addPlanItem.id,
    message: messages.chatSession.messages.edges[0]!.node.id,
    group,
    groupExpense: expense.addGroupExpense.id,
    groupExpenseProposal: proposal,
    invitation: invitation.id,
    transaction: manual.recordManualTransaction.id,
    linkedAccount: linked.completeAccountLink[0]!.id,
    linkSession: secondSession.id,
    institution: randomUUID(),
  });

  const introspection = await server.ok<IntrospectionQuery, unknown>(getIntrospectionQuery());
  schema = buildClientSchema(introspection);
});
afterAll(() => server?.stop());

interface IdCase {
  operation: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  /** Argument name, then the input field path inside it (if any). */
  path: string[];
  key: string;
}

/** Every ID argument of every query and mutation, at any depth of their input objects. */
function idCases(): IdCase[] {
  const out: IdCase[] = [];
  for (const operation of ['query', 'mutation'] as const) {
    const type = operation === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
    for (const field of Object.values(type.getFields())) {
      const visit = (t: GraphQLInputType, path: string[]) => {
        const named = getNamedType(t);
        if (named.name === 'ID') out.push({ operation, field, path, key: `${type.name}.${field.name}.${path.join('.')}` });
        else if (isInputObjectType(named)) for (const f of Object.values(named.getFields())) visit(f.type, [...path, f.name]);
      };
      for (const arg of field.args) visit(arg.type, [arg.name]);
    }
  }
  return out;
}

/** A value for every required slot; the id under test at `target`; other ids are the attacker's own account. */
function fill(t: GraphQLInputType, name: string, path: string[], target: string[], id: string): unknown {
  const here = path.join('.') === target.join('.');
  if (here) return id;
  const required = isNonNullType(t);
  const onTheWay = target.join('.').startsWith(path.join('.') + '.');
  if (!required && !onTheWay && !(path.at(-1) === 'toAccountId' && target.at(-1) === 'fromAccountId')) return undefined;
  const inner = isNonNullType(t) ? t.ofType : t;
  if (isListType(inner)) return FILL[name] ?? [fill(inner.ofType, name, path, target, id)];
  const named = getNamedType(inner);
  if (isInputObjectType(named)) {
    const obj: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields())) {
      const value = fill(f.type, f.name, [...path, f.name], target, id);
      if (value !== undefined) obj[f.name] = value;
    }
    if (name === 'input' && 'idempotencyKey' in named.getFields()) obj.idempotencyKey = key();
    return obj;
  }
  if (named.name === 'ID') return ownAccount;
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (named.name === 'Int') return 1;
  if (named.name === 'Boolean') return false;
  if (named.name === 'JSON') return {};
  return FILL[name] ?? 'ok';
}

function operationText(c: IdCase): string {
  const returned = getNamedType(c.field.type);
  const selection = isObjectType(returned) || isAbstractType(returned) ? ' { __typename }' : '';
  const defs = c.field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = c.field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `${c.operation} Probe(${defs}) { ${c.field.name}(${args})${selection} }`;
}

function variables(c: IdCase, id: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of c.field.args) {
    const value = fill(arg.type, arg.name, [arg.name], c.path, id);
    if (value !== undefined) out[arg.name] = value;
  }
  return out;
}

/** The operator's own operations: it records deposits and card payments on anyone's account or card. */
const OPERATOR_FIELDS = new Set(['recordDeposit', 'recordCardPayment']);
const tokenFor = (c: IdCase) => (OPERATOR_FIELDS.has(c.field.name) ? operatorToken : attacker.token);

async function expectNotFound(c: IdCase, id: string) {
  const res = await server.gql(operationText(c), variables(c, id), { token: tokenFor(c) });
  const what = `${c.key} with ${id.length > 40 ? `${id.length} characters` : JSON.stringify(id)}: ${JSON.stringify(res.errors ?? res.data)}`;
  expect(
    res.errors?.map((e) => e.extensions?.code),
    what,
  ).toEqual(['NOT_FOUND']);
}

const errorLogs = () => server.logs.filter((l) => Number(l.level) >= 50);

describe('ids that name nothing of the caller', () => {
  it('every ID argument of every query and mutation is listed with what it names', () => {
    const keys = idCases().map((c) => c.key);
    expect(keys.length).toBeGreaterThan(20);
    expect(keys.filter((k) => !(k in NAMES))).toEqual([]);
  });

  for (const [label, make] of BAD_IDS) {
    it(`answers NOT_FOUND for ${label} in every ID argument, with nothing logged as an error`, async () => {
      for (const c of idCases()) await expectNotFound(c, make());
      expect(errorLogs()).toEqual([]);
    });
  }

  it("answers NOT_FOUND for another user's object in every ID argument", async () => {
    for (const c of idCases()) {
      // The operator deposits into anyone's account and records payments on anyone's card: there, a UUID that names nothing stands in.
      const id = OPERATOR_FIELDS.has(c.field.name) ? randomUUID() : victims[NAMES[c.key]!];
      await expectNotFound(c, id);
    }
    expect(errorLogs()).toEqual([]);
  });

  it('refuses a malformed id without a database round trip beyond the session check', async () => {
    const baseline = await countStatements(server, () => server.ok('{ me { id } }', {}, { token: attacker.token }));
    for (const c of idCases().filter((c) => !OPERATOR_FIELDS.has(c.field.name))) {
      const count = await countStatements(server, () => expectNotFound(c, 'x'));
      expect(count, c.key).toBeLessThanOrEqual(baseline);
    }
  });

  it('still answers UNAUTHENTICATED and FORBIDDEN first, as for a well-formed id', async () => {
    const anonymous = await server.gql('mutation { revokeAuthSession(id: "x") }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const customer = await server.gql(
      'mutation { recordDeposit(input: { accountId: "x", amountMinor: "1", currency: "USD", idempotencyKey: "k" }) { id } }',
      {},
      { token: attacker.token },
    );
    expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a malformed id in a subscription with NOT_FOUND', async () => {
    const client = server.ws(attacker.token);
    const errors = await new Promise<unknown[]>((resolve) => {
      client.subscribe(
        { query: 'subscription { agentEvents(runId: "x") { seq } }' },
        { next: (r) => resolve((r.errors as unknown[]) ?? []), error: (e) => resolve([e]), complete: () => resolve([]) },
      );
    });
    expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
  });
});
