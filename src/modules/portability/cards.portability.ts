import { CardKind, CardStatus } from '../cards/card.entity.js';
import type { CardDoc } from '../cards/card-document.service.js';
import { TIMESTAMP, int, list, minorSchema, minorUnits, nullable, oneOf, record, text, timestamp } from './document-schema.js';

/* The document's cards (optional on import: documents from before cards have none). */

const MAX_CARDS = 1000;
const LIMIT_HINT = 'must be null or a whole number of minor units from 1 to 10^15, as a string';

/** The account a card or goal was on, by what the caller can recognise. */
export const accountRefSchema = record({ number: text(64, 1), name: text(100, 1), currency: text(3, 3) });

export const cardsSchema = list(
  record({
    account: accountRefSchema,
    kind: oneOf(CardKind),
    label: nullable(text(100)),
    last4: { type: 'string', pattern: '^\\d{4}$', hint: 'must be four digits' },
    expiryMonth: int(1, 12),
    expiryYear: int(1970, 9999),
    status: oneOf(CardStatus),
    monthlyLimitMinor: { ...nullable(minorSchema(LIMIT_HINT)), hint: LIMIT_HINT },
    createdAt: TIMESTAMP,
  }),
  MAX_CARDS,
);

export function checkCards(cards: CardDoc[]): CardDoc[] {
  return cards.map((c, i) => {
    minorUnits(c.monthlyLimitMinor, `cards[${i}].monthlyLimitMinor`, LIMIT_HINT);
    return { ...c, createdAt: timestamp(c.createdAt, `cards[${i}].createdAt`) };
  });
}
