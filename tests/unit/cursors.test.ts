import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { badCursor, encodeCursor, seqCursor, timeIdCursor, uuidCursor } from '../../src/shared/pagination.js';
import { DomainError } from '../../src/shared/errors.js';

const NOT_A_CURSOR = { code: 'BAD_USER_INPUT', extensions: { fields: [{ field: 'before', message: 'is not a cursor this API gave out' }] } };

function refusal(decode: () => unknown): unknown {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error;
  }
  throw new Error('decoded');
}

describe('cursor decoders', () => {
  it('read back what the API handed out, and nothing when there is no cursor', () => {
    expect(seqCursor(encodeCursor([42]))).toBe(42);
    expect(timeIdCursor(encodeCursor(['2030-01-01T00:00:00.000Z', 'x']))).toEqual({ at: new Date('2030-01-01T00:00:00.000Z'), id: 'x' });
    const id = '01900000-0000-7000-8000-000000000000';
    expect(uuidCursor(encodeCursor([id]))).toBe(id);
    for (const none of [null, undefined]) {
      expect(seqCursor(none)).toBeNull();
      expect(timeIdCursor(none)).toBeNull();
      expect(uuidCursor(none)).toBeNull();
    }
  });

  it('answer BAD_USER_INPUT naming the argument for anything else', () => {
    expect(badCursor('before')).toMatchObject(NOT_A_CURSOR);
    for (const forged of ['nonsense', encodeCursor(['a']), encodeCursor([1.5]), encodeCursor([1, 2])]) {
      expect(refusal(() => seqCursor(forged, 'before'))).toMatchObject(NOT_A_CURSOR);
    }
    for (const forged of [encodeCursor(['not a time', 'x']), encodeCursor(['2030-01-01T00:00:00.000Z']), encodeCursor(['2030-01-01T00:00:00.000Z', 7])]) {
      expect(refusal(() => timeIdCursor(forged, 'before'))).toMatchObject(NOT_A_CURSOR);
    }
    for (const forged of [encodeCursor([42]), encodeCursor(['not-a-uuid'])]) {
      expect(refusal(() => uuidCursor(forged, 'before'))).toMatchObject(NOT_A_CURSOR);
    }
  });
});
