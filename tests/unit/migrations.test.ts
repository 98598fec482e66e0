import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.js';
import { MIGRATION_NAMES } from '../../migrations/names.js';

describe('the migration lists', () => {
  it('name the same migrations, in order, as the files in migrations/', () => {
    const files = readdirSync('migrations')
      .filter((f) => /^Migration\d+.*\.ts$/.test(f))
      .sort()
      .map((f) => f.replace(/\.ts$/, ''));
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files);
    expect(MIGRATION_NAMES).toEqual(files);
  });
});
