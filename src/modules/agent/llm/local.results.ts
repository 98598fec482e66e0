/** Reading tool results, which arrive as parsed JSON of any shape: fields, lists and amounts, never a crash. */
import { formatGrouped } from '../../../shared/currency.js';
import { currencyExponent } from './local.money.js';

export type Json = Record<string, unknown>;

/** A tool result's object (not an array, not null): what the replies read fields from. */
export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A non-empty string, else undefined. */
export const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A string, else ''. */
export const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The objects in an array value. */
export const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** The objects in `result[key]`. */
export const listIn = (result: unknown, key: string): Json[] => list(isObject(result) ? result[key] : undefined);

/** An amount as the tools return it ({ decimal, minor, currency }) in minor units; 0 when it is none. */
export const minor = (value: unknown): bigint => (isObject(value) && /^-?\d+$/.test(text(value.minor)) ? BigInt(text(value.minor)) : 0n);

/** An amount as the tools return it -> "1,250.00 USD". */
export function money(value: unknown): string {
  return isObject(value) ? formatGrouped(minor(value), text(value.currency), currencyExponent(text(value.currency))) : '?';
}

/** An amount without its sign: "-5.00" over budget reads "5.00 USD over". */
export const positive = (value: unknown): string => (isObject(value) ? money({ ...value, minor: text(value.minor).replace(/^-/, '') }) : '?');
