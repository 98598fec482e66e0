import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { badUserInput, notFound, type FieldProblem } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import type { SaveTemplateInput } from './drafts.inputs.js';
import { DEFAULT_TEMPLATE_NAME, DEFAULT_TEMPLATE_SECTIONS, templateSectionProblems } from './sections.rules.js';
import { UserTemplate, type TemplateSectionData } from './user-template.entity.js';

export class TemplatesService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
  ) {}

  async list(auth: AuthInfo): Promise<UserTemplate[]> {
    await this.active(auth.userId);
    return this.em.find(UserTemplate, { user: auth.userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  /** The user's active template; a user who has none gets the default one, made here. */
  async active(userId: string): Promise<UserTemplate> {
    const found = await this.em.findOne(UserTemplate, { user: userId, active: true });
    if (found) return found;
    const template = new UserTemplate(
      this.em.getReference(User, userId, { wrapped: true }),
      DEFAULT_TEMPLATE_NAME,
      structuredClone(DEFAULT_TEMPLATE_SECTIONS),
      true,
    );
    template.createdAt = template.updatedAt = this.deps.clock.now();
    try {
      await this.em.fork().persistAndFlush(template);
      return this.em.merge(template);
    } catch (error) {
      // Another request made it first: the one-active index refused this one.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      return this.em.findOneOrFail(UserTemplate, { user: userId, active: true });
    }
  }

  async save(auth: AuthInfo, input: SaveTemplateInput): Promise<UserTemplate> {
    const name = input.name.trim();
    const sections: TemplateSectionData[] = input.sections.map((s) => ({
      name: s.name.trim(),
      description: s.description.trim(),
      aliases: (s.aliases ?? []).map((a) => a.trim()),
    }));
    const problems: FieldProblem[] = [];
    if (name === '') problems.push({ field: 'name', message: 'must not be blank' });
    sections.forEach((s, i) => {
      if (s.name === '') problems.push({ field: `sections[${i}].name`, message: 'must not be blank' });
      s.aliases.forEach((a, j) => {
        if (a === '') problems.push({ field: `sections[${i}].aliases[${j}]`, message: 'must not be blank' });
      });
    });
    problems.push(...templateSectionProblems(sections));
    if (problems.length) throw badUserInput(problems);

    if (input.id) {
      const template = isUuid(input.id) ? await this.em.findOne(UserTemplate, { id: input.id, user: auth.userId }) : null;
      if (!template) throw notFound('Template');
      template.name = name;
      template.sections = sections;
      await this.em.flush();
      return template;
    }
    // The default comes first, so that a user's first saved template does not replace it silently.
    await this.active(auth.userId);
    const template = new UserTemplate(this.em.getReference(User, auth.userId, { wrapped: true }), name, sections);
    template.createdAt = template.updatedAt = this.deps.clock.now();
    await this.em.persistAndFlush(template);
    return template;
  }

  async activate(auth: AuthInfo, id: string): Promise<UserTemplate> {
    if (!isUuid(id)) throw notFound('Template');
    return this.em.transactional(async (em) => {
      // Locking every template of the user (in id order) serialises concurrent activations.
      const all = await em.find(UserTemplate, { user: auth.userId }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' }, refresh: true });
      const template = all.find((t) => t.id === id);
      if (!template) throw notFound('Template');
      if (template.active) return template;
      await em.nativeUpdate(UserTemplate, { user: auth.userId, active: true }, { active: false, updatedAt: this.deps.clock.now() });
      for (const t of all) if (t !== template) t.active = false;
      template.active = true;
      return template;
    });
  }
}
