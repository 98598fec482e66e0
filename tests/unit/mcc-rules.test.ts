import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { MCC_TABLE, SpendingCategory, categoryOf, parseMcc } from '../../src/modules/cards/mcc.rules.js';
import { DomainError } from '../../src/shared/errors.js';

const C = SpendingCategory;

describe('categoryOf', () => {
  it.each([
    ['5411', C.GROCERIES],
    ['5812', C.DINING],
    ['5814', C.DINING],
    ['4111', C.TRANSPORT],
    ['4121', C.TRANSPORT],
    ['4131', C.TRANSPORT],
    ['5541', C.TRANSPORT],
    ['5542', C.TRANSPORT],
    ['3000', C.TRAVEL],
    ['3350', C.TRAVEL],
    ['4511', C.TRAVEL],
    ['3501', C.TRAVEL],
    ['3999', C.TRAVEL],
    ['7011', C.TRAVEL],
    ['4900', C.UTILITIES],
    ['4812', C.UTILITIES],
    ['4814', C.UTILITIES],
    ['5912', C.HEALTH],
    ['8011', C.HEALTH],
    ['8099', C.HEALTH],
    ['5815', C.SUBSCRIPTIONS],
    ['5818', C.SUBSCRIPTIONS],
    ['4899', C.SUBSCRIPTIONS],
    ['8211', C.EDUCATION],
    ['8299', C.EDUCATION],
    ['6010', C.CASH],
    ['6011', C.CASH],
    ['5310', C.SHOPPING],
    ['5311', C.SHOPPING],
    ['5732', C.SHOPPING],
    ['7832', C.ENTERTAINMENT],
    ['6513', C.HOUSING],
    ['6300', C.FEES],
  ])('maps %s to %s', (mcc, category) => {
    expect(categoryOf(mcc)).toBe(category);
  });

  it.each([
    ['5811', C.DINING, '5810', C.OTHER],
    ['5815', C.SUBSCRIPTIONS, '5814', C.DINING],
    ['4131', C.TRANSPORT, '4132', C.OTHER],
    ['4111', C.TRANSPORT, '4110', C.OTHER],
    ['5542', C.TRANSPORT, '5543', C.OTHER],
    ['8099', C.HEALTH, '8100', C.OTHER],
    ['8211', C.EDUCATION, '8210', C.OTHER],
    ['6011', C.CASH, '6012', C.FEES],
    ['3000', C.TRAVEL, '2999', C.OTHER],
  ])('stops a range exactly at its edge: %s is %s, %s is %s', (inside, insideCategory, outside, outsideCategory) => {
    expect(categoryOf(inside)).toBe(insideCategory);
    expect(categoryOf(outside)).toBe(outsideCategory);
  });

  it('maps codes the table does not list to OTHER', () => {
    for (const mcc of ['0000', '0742', '4011', '6211', '7311', '9999', '9402']) {
      expect(categoryOf(mcc)).toBe(C.OTHER);
    }
  });

  it('maps a string that is not a code to OTHER instead of guessing', () => {
    for (const mcc of ['', '541', '54111', ' 5411', '5411 ', '+541', '5.41', '١٢٣٤']) {
      expect(categoryOf(mcc)).toBe(C.OTHER);
    }
  });

  it('keeps the table sorted, non-overlapping and inside 0000-9999', () => {
    let previousTo = -1;
    for (const row of MCC_TABLE) {
      expect(row.from).toBeGreaterThan(previousTo);
      expect(row.to).toBeGreaterThanOrEqual(row.from);
      expect(row.to).toBeLessThanOrEqual(9999);
      previousTo = row.to;
    }
  });

  it('agrees with a linear scan of the table for every code', () => {
    for (let code = 0; code <= 9999; code++) {
      const mcc = String(code).padStart(4, '0');
      const row = MCC_TABLE.find((r) => code >= r.from && code <= r.to);
      expect(categoryOf(mcc)).toBe(row?.category ?? C.OTHER);
    }
  });
});

describe('parseMcc', () => {
  it('accepts exactly four ASCII digits, leading zeros included', () => {
    expect(parseMcc('5411')).toBe('5411');
    expect(parseMcc('0742')).toBe('0742');
  });

  it.each(['', '541', '54111', ' 5411', '5411 ', '54a1', '-541', '5.41', '١٢٣٤', '５４１１'])('refuses %j as BAD_USER_INPUT on merchantCategoryCode', (raw) => {
    let caught: unknown;
    try {
      parseMcc(raw);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    const error = caught as DomainError;
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions).toEqual({
      fields: [{ field: 'merchantCategoryCode', message: 'must be exactly 4 digits (ISO 18245)' }],
    });
  });
});
