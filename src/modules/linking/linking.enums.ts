import { registerEnumType } from 'type-graphql';

export enum LinkedAccountKind {
  CHECKING = 'CHECKING',
  SAVINGS = 'SAVINGS',
  CREDIT_CARD = 'CREDIT_CARD',
  LOAN = 'LOAN',
  OTHER = 'OTHER',
}
registerEnumType(LinkedAccountKind, {
  name: 'LinkedAccountKind',
  description: 'What kind of account the bank says it is.',
  valuesConfig: {
    CHECKING: { description: 'A current (checking) account.' },
    SAVINGS: { description: 'A savings account.' },
    CREDIT_CARD: { description: 'A credit card account.' },
    LOAN: { description: 'A loan or mortgage.' },
    OTHER: { description: 'Anything else (investment, prepaid, ...).' },
  },
});

export enum LinkStatus {
  ACTIVE = 'ACTIVE',
  LOGIN_REQUIRED = 'LOGIN_REQUIRED',
  DISCONNECTED = 'DISCONNECTED',
}
registerEnumType(LinkStatus, {
  name: 'LinkStatus',
  description: 'Whether a linked account syncs.',
  valuesConfig: {
    ACTIVE: { description: 'Syncing.' },
    LOGIN_REQUIRED: {
      description: 'The bank wants the user to sign in again (startAccountLink with relinkAccountId). Nothing syncs until then; nothing is lost.',
    },
    DISCONNECTED: { description: 'Unlinked by the user; its transactions are kept unless deleted with it.' },
  },
});

export enum LinkedAccountEventKind {
  SYNCED = 'SYNCED',
  LOGIN_REQUIRED = 'LOGIN_REQUIRED',
  RELINKED = 'RELINKED',
  UNLINKED = 'UNLINKED',
}
registerEnumType(LinkedAccountEventKind, {
  name: 'LinkedAccountEventKind',
  description: 'What happened to a linked account.',
  valuesConfig: {
    SYNCED: { description: 'A sync committed; sync says what changed.' },
    LOGIN_REQUIRED: { description: 'The bank wants the user to sign in again: relink with startAccountLink(relinkAccountId).' },
    RELINKED: { description: 'The user signed in again; syncing resumes.' },
    UNLINKED: { description: 'The user unlinked it.' },
  },
});
