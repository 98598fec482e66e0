/**
 * ISO 4217 codes and their minor units as the runtime's ICU knows them: integer arithmetic
 * only, and no GraphQL, so the agent's rule-based provider uses it as the schema does.
 */

const SUPPORTED = new Set(Intl.supportedValuesOf('currency'));
const exponents = new Map<string, number>();

/** An upper-case ISO 4217 code the runtime supports ("USD"; not "usd", not "XYZ"). */
export function isCurrency(code: string): boolean {
  return SUPPORTED.has(code);
}

/** Minor-unit digits of a currency as the runtime's ICU knows them: USD 2, JPY 0, BHD 3. */
export function minorUnitExponent(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(currency, exponent);
  }
  return exponent;
}

/** Integer arithmetic only: 123456n USD -> "1234.56", -5n BHD -> "-0.005". */
export function formatDecimal(minor: bigint, currency: string, exponent = minorUnitExponent(currency)): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  if (exponent === 0) return `${sign}${abs}`;
  const scale = 10n ** BigInt(exponent);
  return `${sign}${abs / scale}.${(abs % scale).toString().padStart(exponent, '0')}`;
}

/** For sentences: "1,250.00 USD", "-3 JPY"; integer arithmetic, thousands grouped. */
export function formatGrouped(minor: bigint, currency: string, exponent = minorUnitExponent(currency)): string {
  const [whole, fraction] = formatDecimal(minor, currency, exponent).split('.');
  const sign = whole!.startsWith('-') ? '-' : '';
  const grouped = whole!.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`} ${currency}`;
}
