import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { badUserInput, type FieldProblem } from '../../shared/errors.js';
import { canonicalTimeZone } from '../../shared/time-zone.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import type { UpdatePreferencesInput } from './preferences.inputs.js';
import { UserPreferences } from './user-preferences.entity.js';

export class PreferencesService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
  ) {}

  /** The stored preferences, or the defaults (not stored) for a user who never changed them. */
  async get(userId: string): Promise<UserPreferences> {
    return (await this.em.findOne(UserPreferences, { user: userId })) ?? new UserPreferences(this.em.getReference(User, userId, { wrapped: true }));
  }

  async update(auth: AuthInfo, input: UpdatePreferencesInput): Promise<UserPreferences> {
    const problems: FieldProblem[] = [];
    const goals = input.longTermGoals?.map((g) => g.trim());
    const challenges = input.knownChallenges?.map((c) => c.trim());
    const glossary = input.personalGlossary?.map((g) => ({ term: g.term.trim(), definition: g.definition.trim() }));
    goals?.forEach((g, i) => g === '' && problems.push({ field: `longTermGoals[${i}]`, message: 'must not be blank' }));
    challenges?.forEach((c, i) => c === '' && problems.push({ field: `knownChallenges[${i}]`, message: 'must not be blank' }));
    const terms = new Set<string>();
    glossary?.forEach((g, i) => {
      const key = g.term.toLowerCase();
      if (g.term === '') problems.push({ field: `personalGlossary[${i}].term`, message: 'must not be blank' });
      else if (terms.has(key)) problems.push({ field: `personalGlossary[${i}].term`, message: `"${g.term}" is defined twice` });
      terms.add(key);
    });
    const typed = input.timeZone?.trim();
    const timeZone = typed === undefined ? undefined : canonicalTimeZone(typed);
    if (typed !== undefined && timeZone === undefined) problems.push({ field: 'timeZone', message: 'must be an IANA time zone, e.g. "Europe/Paris"' });
    if (problems.length) throw badUserInput(problems);

    const apply = (prefs: UserPreferences) => {
      if (input.purposeStatement !== undefined) prefs.purposeStatement = input.purposeStatement?.trim() || null;
      if (goals) prefs.longTermGoals = goals;
      if (challenges) prefs.knownChallenges = challenges;
      if (input.preferredFeedbackStyle) prefs.preferredFeedbackStyle = input.preferredFeedbackStyle;
      if (glossary) prefs.personalGlossary = glossary;
      if (timeZone) prefs.timeZone = timeZone;
    };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.em.transactional(async (em) => {
          let prefs = await em.findOne(UserPreferences, { user: auth.userId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
          if (!prefs) {
            prefs = new UserPreferences(em.getReference(User, auth.userId, { wrapped: true }));
            prefs.createdAt = prefs.updatedAt = this.deps.clock.now();
            em.persist(prefs);
          }
          apply(prefs);
          return prefs;
        });
      } catch (error) {
        // Two first updates raced to create the row: the second one retries as an update.
        if (!(error instanceof UniqueConstraintViolationException) || attempt > 0) throw error;
      }
    }
  }
}
