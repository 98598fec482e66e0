import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivateTemplateDocument, ExportMyDataDocument, ImportMyDataDocument, SaveTemplateDocument, TemplatesDocument } from '../generated/graphql.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe("re-importing one's own export", () => {
  it('matches every template instead of duplicating it, and keeps the same one active', async () => {
    const user = await registerUser(server);
    const token = user.token;
    const saved = [];
    for (const name of ['Gratitude', 'Weekly review', 'Workout']) {
      const sections = [
        { name: `${name} notes`, description: `What ${name} brought`, aliases: [`${name} log`] },
        { name: 'Mood', description: 'One word', aliases: [] },
      ];
      saved.push((await server.ok(SaveTemplateDocument, { input: { name, sections } }, { token })).saveTemplate);
    }
    await server.ok(ActivateTemplateDocument, { id: saved[1]!.id }, { token });
    const before = (await server.ok(TemplatesDocument, {}, { token })).templates;
    expect(before).toHaveLength(4);
    const doc = (await server.ok(ExportMyDataDocument, {}, { token })).exportMyData;

    for (let round = 0; round < 2; round++) {
      const summary = (await server.ok(ImportMyDataDocument, { data: doc }, { token })).importMyData;
      expect(summary.templates).toBe(4);
      const after = (await server.ok(TemplatesDocument, {}, { token })).templates;
      expect(after.map((t) => [t.name, t.active])).toEqual(before.map((t) => [t.name, t.active]));
    }
  });
});
