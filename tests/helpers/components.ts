import { describe, it } from 'vitest';

/**
 * Set by .ci/run, which provides PostgreSQL, Redis, Chromium and haproxy: there a test that would be
 * skipped for a missing component fails instead, naming it, so a broken CI machine cannot
 * turn the suite green by skipping.
 */
export const REQUIRE_TEST_COMPONENTS = process.env.REQUIRE_TEST_COMPONENTS === '1';

/** Undefined on PostgreSQL; otherwise why a race cannot be tested here. */
export const RACES_NEED_POSTGRES = process.env.DATABASE_URL
  ? undefined
  : 'needs PostgreSQL (DATABASE_URL): the embedded database runs one transaction at a time, so it passes by construction';

/** Undefined with DATABASE_URL; otherwise why a test of several gateway processes cannot run. */
export const PROCESSES_NEED_POSTGRES = process.env.DATABASE_URL ? undefined : 'needs PostgreSQL (DATABASE_URL): two processes cannot share one embedded PGlite';

/**
 * A describe that needs a component. `missing` undefined: an ordinary describe. Otherwise it is
 * skipped with the reason in its title, or, under REQUIRE_TEST_COMPONENTS=1, it is one failing
 * test naming what is missing.
 */
export function describeNeeding(missing: string | undefined, title: string, body: () => void): void {
  if (!missing) {
    describe(title, body);
  } else if (REQUIRE_TEST_COMPONENTS) {
    describe(title, () => it(`cannot run: ${missing}`, () => failMissing(missing)));
  } else {
    describe.skip(`${title} [skipped: ${missing}]`, body);
  }
}

/** One test that needs a component, as describeNeeding. */
export function itNeeding(missing: string | undefined, title: string, fn: () => Promise<void>, timeout?: number): void {
  if (!missing) it(title, fn, timeout);
  else if (REQUIRE_TEST_COMPONENTS) it(`${title} [cannot run: ${missing}]`, () => failMissing(missing));
  else it.skip(`${title} [skipped: ${missing}]`, fn, timeout);
}

function failMissing(missing: string): never {
  throw new Error(`REQUIRE_TEST_COMPONENTS=1, but this test ${missing.startsWith('needs ') ? missing : `cannot run: ${missing}`}`);
}
