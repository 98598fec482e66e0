import { v5 as uuidv5 } from 'uuid';
import { LinkedAccountKind } from './linking.enums.js';

/** The aggregator's type and subtype (Plaid's) as the API's kind. */
export function kindOf(type: string, subtype: string | null): LinkedAccountKind {
  if (type === 'credit') return LinkedAccountKind.CREDIT_CARD;
  if (type === 'loan') return LinkedAccountKind.LOAN;
  if (type === 'depository' && subtype === 'checking') return LinkedAccountKind.CHECKING;
  if (type === 'depository' && subtype === 'savings') return LinkedAccountKind.SAVINGS;
  return LinkedAccountKind.OTHER;
}

const INSTITUTIONS_NAMESPACE = '0b6f1c1e-7c1e-4f57-9d7e-5a3c2f1e8b40';

/** The API's id of an aggregator's institution: a UUID derived from the aggregator's own id, so every ID the API takes is a UUID. */
export function institutionKey(aggregatorId: string): string {
  return uuidv5(aggregatorId, INSTITUTIONS_NAMESPACE);
}
