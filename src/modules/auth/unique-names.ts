import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DomainError } from '../../shared/errors.js';

/** The unique indexes are the last word when two registrations race. */
export async function withUniqueErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      const constraint = violatedConstraint(error);
      if (constraint === 'app_user_email_key_unique') throw emailTaken();
      if (constraint === 'app_user_username_key_unique') throw usernameTaken();
    }
    throw error;
  }
}

/** The constraint's name, not a search of the message: that also quotes the SQL's column list. */
function violatedConstraint(error: UniqueConstraintViolationException): string | undefined {
  const own = (error as { constraint?: unknown }).constraint;
  if (typeof own === 'string') return own;
  return /violates unique constraint "([^"]+)"/.exec(error.message)?.[1];
}

export function usernameTaken(): DomainError {
  return new DomainError('USERNAME_TAKEN', 'That username is taken: choose another', { fields: [{ field: 'username', message: 'is taken' }] });
}

export function emailTaken(): DomainError {
  return new DomainError('EMAIL_TAKEN', 'That email is already registered: sign in instead', {
    fields: [{ field: 'email', message: 'is already registered' }],
  });
}
