import type { AuthCheckerFn } from 'type-graphql';
import { DomainError } from '../shared/errors.js';
import { requireAuth, type GraphQLContext } from '../shared/request-context.js';

/** `@Authorized()` needs a live session; `@Authorized('OPERATOR')` also that role. */
export const authChecker: AuthCheckerFn<GraphQLContext> = ({ context }, roles) => {
  const auth = requireAuth(context);
  if (roles.length > 0 && !roles.includes(auth.role)) {
    throw new DomainError('FORBIDDEN', `This needs the ${roles.join(' or ')} role`);
  }
  return true;
};
