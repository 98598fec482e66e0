import { registerEnumType } from 'type-graphql';

export enum TransactionSource {
  CARD = 'CARD',
  TRANSFER = 'TRANSFER',
  MANUAL = 'MANUAL',
  LINKED = 'LINKED',
  GROUP = 'GROUP',
}
registerEnumType(TransactionSource, {
  name: 'TransactionSource',
  description: 'Where a transaction comes from.',
  valuesConfig: {
    CARD: { description: "A payment with one of the caller's cards (CardPayment)." },
    TRANSFER: { description: "A transfer from one of the caller's accounts to someone else's (a deposit or a transfer in is income)." },
    MANUAL: { description: 'Entered by hand: cash, or a payment the gateway cannot see.' },
    LINKED: { description: 'Read from a linked account at another bank.' },
    GROUP: {
      description:
        "The caller's own share of a group expense the caller paid (all or part of): the budget counts what they consumed, not what they fronted for the others. Its id is the GroupExpense's; an edit or a delete of the expense changes or removes it at once.",
    },
  },
});

export enum TransactionDirection {
  OUT = 'OUT',
  IN = 'IN',
}
registerEnumType(TransactionDirection, {
  name: 'TransactionDirection',
  description: 'Which way the money went for the caller.',
  valuesConfig: { OUT: { description: 'Spending: counts in a jar.' }, IN: { description: 'Income: a deposit, a transfer in, a refund.' } },
});
