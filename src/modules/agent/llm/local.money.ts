/** Exact money text handling for the rule-based assistant: strings and bigints, never floats. */
import { formatDecimal, isCurrency, minorUnitExponent } from '../../../shared/currency.js';

export interface AccountRef {
  id: string;
  name: string;
  number?: string;
  currency: string;
  balance?: string;
  balanceMinor?: string | number;
}

export interface AmountMention {
  /** Digits with an optional '.' fraction, commas removed, e.g. "1000" or "12.34". */
  value: string;
  /** Named explicitly ("yen", "EUR", "€"); undefined when the user gave a bare number. */
  currency?: string;
  /** "$", "dollars", "bucks": any dollar currency fits (the account's, else USD). */
  anyDollar: boolean;
  /** The matched text, so it can be cut out before reading account names. */
  text: string;
  /** A minus sign or "minus" came with it: never dropped, the assistant asks instead. */
  negative?: boolean;
  /** A unit that looks like a currency but is none we know ("5 XXX", "BTC 3"): asked about, never guessed. */
  unknownCurrency?: string;
}

/**
 * Minor-unit digits of the currency, e.g. USD 2, JPY 0, KWD 3. The code comes from tool
 * output as text: one the runtime rejects counts as 2 rather than failing the reply.
 */
export function currencyExponent(currency: string): number {
  try {
    return minorUnitExponent(currency);
  } catch {
    return 2;
  }
}

const DOLLAR_CURRENCIES = new Set([
  'USD',
  'CAD',
  'AUD',
  'NZD',
  'SGD',
  'HKD',
  'TWD',
  'MXN',
  'JMD',
  'BSD',
  'BBD',
  'BZD',
  'FJD',
  'LRD',
  'NAD',
  'SBD',
  'TTD',
  'XCD',
]);

export function isDollarCurrency(currency: string): boolean {
  return DOLLAR_CURRENCIES.has(currency);
}

const COMMON_CODES = new Set([
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'CHF',
  'CAD',
  'AUD',
  'NZD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'INR',
  'CNY',
  'VND',
  'SGD',
  'HKD',
  'KRW',
  'MXN',
  'BRL',
  'ZAR',
]);
const SYMBOLS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR', '₩': 'KRW' };
const WORDS: Array<[RegExp, string]> = [
  [/^(dollars?|bucks?|usd)$/i, 'USD'],
  [/^(euros?|eur)$/i, 'EUR'],
  [/^(pounds?|quid|gbp)$/i, 'GBP'],
  [/^(yen|jpy)$/i, 'JPY'],
  [/^(rupees?)$/i, 'INR'],
  [/^(francs?)$/i, 'CHF'],
];

const NUMBER = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)`;
const SYMBOL = String.raw`([$€£¥₹₩])`;
const MINUS = String.raw`[-−–]`;
/** Text that, right before an amount, makes it negative: "-50", "- $50", "minus 50", "negative 50". */
const NEGATIVE_BEFORE = new RegExp(String.raw`(?:${MINUS}|\bminus|\bnegative)\s*$`, 'i');
/** Units people use for money we cannot move: asked about, never read as the account's currency. */
const FOREIGN_UNITS = /^(?:bitcoins?|btc|eth|ether|satoshis?|sats|crypto|tokens?|coins?)$/i;
const UNIT = String.raw`([A-Za-z]{3,8})`;

function wordCurrency(word: string): { currency: string; anyDollar: boolean } | undefined {
  for (const [pattern, currency] of WORDS) {
    if (pattern.test(word)) return { currency, anyDollar: currency === 'USD' && !/^usd$/i.test(word) };
  }
  const code = word.toUpperCase();
  // Lower-case three-letter words are codes only when common: "50 all" is not Albanian lek.
  const written = word === code || COMMON_CODES.has(code);
  return word.length === 3 && written && isCurrency(code) ? { currency: code, anyDollar: false } : undefined;
}

/** The first amount in the text: "$12.34", "50 dollars", "1000 yen", "EUR 20", "1,000.50", or a bare number. */
export function findAmount(text: string): AmountMention | undefined {
  const candidates: Array<{ at: number; mention: AmountMention }> = [];
  for (const m of text.matchAll(new RegExp(`${SYMBOL}\\s?(${MINUS}\\s*)?${NUMBER}`, 'g'))) {
    const currency = SYMBOLS[m[1]!]!;
    const mention: AmountMention = { value: clean(m[3]!), currency, anyDollar: m[1] === '$', text: m[0] };
    candidates.push({ at: m.index, mention: m[2] ? { ...mention, negative: true } : mention });
  }
  for (const m of text.matchAll(new RegExp(`(?<![\\w.,])${NUMBER}\\s*${UNIT}\\b`, 'g'))) {
    const unit = wordCurrency(m[2]!);
    if (unit) candidates.push({ at: m.index, mention: { value: clean(m[1]!), ...unit, text: m[0] } });
    else if (looksLikeCurrency(m[2]!)) candidates.push({ at: m.index, mention: { value: clean(m[1]!), anyDollar: false, unknownCurrency: m[2]!, text: m[0] } });
  }
  for (const m of text.matchAll(new RegExp(`\\b([A-Za-z]{3})\\s?(${MINUS}\\s*)?${NUMBER}`, 'g'))) {
    const code = m[1]!.toUpperCase();
    if (m[1] !== code || !(isCurrency(code) || looksLikeCurrency(code))) continue;
    const mention: AmountMention = isCurrency(code)
      ? { value: clean(m[3]!), currency: code, anyDollar: false, text: m[0] }
      : { value: clean(m[3]!), anyDollar: false, unknownCurrency: m[1]!, text: m[0] };
    candidates.push({ at: m.index, mention: m[2] ? { ...mention, negative: true } : mention });
  }
  let found: { at: number; mention: AmountMention } | undefined = candidates.sort((a, b) => a.at - b.at)[0];
  if (!found) {
    const bare = new RegExp(`(?<![\\w.,$€£¥])${NUMBER}(?![\\w.,])`).exec(text);
    if (bare) found = { at: bare.index, mention: { value: clean(bare[1]!), anyDollar: false, text: bare[0] } };
  }
  if (!found) return undefined;
  // A sign in front is part of the amount: "-50 dollars" is not 50 dollars.
  return NEGATIVE_BEFORE.test(text.slice(0, found.at)) ? { ...found.mention, negative: true } : found.mention;
}

/** An upper-case code we do not know ("XXX", "BTC") or a crypto word: a currency the user meant, not a word. */
function looksLikeCurrency(word: string): boolean {
  return (word.length === 3 && word === word.toUpperCase() && !SHOUTED_WORDS.has(word)) || FOREIGN_UNITS.test(word);
}

/** Upper-case words that are words, not codes ("SEND 50 NOW"). */
const SHOUTED_WORDS = new Set(['THE', 'AND', 'FOR', 'NOW', 'PLS', 'YOU', 'OUT', 'ONE', 'TWO', 'TEN', 'OFF']);

function clean(value: string): string {
  return value.replace(/,/g, '');
}

/** "12.34" in USD → "1234"; an error text when the currency has fewer decimals than given. */
export function toMinorUnits(value: string, currency: string): { minor: string } | { error: string } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) return { error: `"${value}" is not an amount` };
  const exponent = currencyExponent(currency);
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  // "5.50" is fine for JPY only if the extra digits are zeros.
  const extra = fraction.slice(exponent);
  if (/[1-9]/.test(extra)) {
    return { error: exponent === 0 ? `${currency} has no decimal places` : `${currency} has only ${exponent} decimal places` };
  }
  const digits = `${whole}${fraction.slice(0, exponent).padEnd(exponent, '0')}`.replace(/^0+(?=\d)/, '');
  return { minor: digits };
}

/** 123456n in USD → "1234.56"; -5n in JPY → "-5"; shared/currency.ts's formatter with the tolerant exponent. */
export function formatMinor(minor: bigint, currency: string): string {
  return formatDecimal(minor, currency, currencyExponent(currency));
}

/** A decimal string as the tools return it ("1250.00", "-3.5", "980") → minor units. */
export function decimalToMinor(decimal: string, currency: string): bigint | undefined {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) return undefined;
  const converted = toMinorUnits(match[3] ? `${match[2]}.${match[3]}` : match[2]!, currency);
  if ('error' in converted) return undefined;
  const minor = BigInt(converted.minor);
  return match[1] ? -minor : minor;
}

/** An account's balance in minor units, preferring the exact `balanceMinor` when present. */
export function balanceMinorOf(account: AccountRef): bigint | undefined {
  const raw = account.balanceMinor;
  if ((typeof raw === 'string' && /^-?\d+$/.test(raw)) || (typeof raw === 'number' && Number.isSafeInteger(raw))) {
    return BigInt(raw);
  }
  return account.balance === undefined ? undefined : decimalToMinor(account.balance, account.currency);
}

const FILLER = new Set(['my', 'the', 'a', 'an', 'account', 'acct', 'accounts', 'please', 'one']);

function normalizeName(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w !== '' && !FILLER.has(w));
}

export type AccountMatch = { account: AccountRef } | { ambiguous: AccountRef[] } | { none: true };

/** Finds the account a user named: exact name, number, then containment, then a shared word. */
export function matchAccount(query: string, accounts: AccountRef[]): AccountMatch {
  const wanted = normalizeName(query);
  if (wanted.length === 0) return { none: true };
  const wantedText = wanted.join(' ');
  const digits = query.replace(/\D/g, '');
  const score = (account: AccountRef): number => {
    const name = normalizeName(account.name);
    const nameText = name.join(' ');
    if (nameText === wantedText) return 4;
    if (digits.length >= 4 && account.number && account.number.replace(/\D/g, '').endsWith(digits)) return 4;
    if (nameText !== '' && (nameText.includes(wantedText) || wantedText.includes(nameText))) return 3;
    const stem = (w: string) => w.replace(/s$/, '');
    if (wanted.some((w) => w.length >= 3 && name.some((n) => stem(n).startsWith(stem(w)) || stem(w).startsWith(stem(n))))) return 1;
    return 0;
  };
  const scored = accounts.map((account) => ({ account, score: score(account) })).filter((s) => s.score > 0);
  if (scored.length === 0) return { none: true };
  const best = Math.max(...scored.map((s) => s.score));
  const top = scored.filter((s) => s.score === best).map((s) => s.account);
  return top.length === 1 ? { account: top[0]! } : { ambiguous: top };
}
