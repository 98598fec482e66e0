import { validate } from 'uuid';

/** Ids are UUIDs; anything else cannot name a row, and must not reach a uuid column as SQL. */
export function isUuid(id: string): boolean {
  return validate(id);
}
