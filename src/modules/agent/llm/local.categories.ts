/** Spending categories in words: what a user says for one (a spending question, a jar's name) and how the assistant names it. */

/** Words for each SpendingCategory, first match wins: "travel to work" is transport before "travel" is travel. */
const CATEGORY_WORDS: Array<[RegExp, string]> = [
  [/\b(?:dining|dine|restaurants?|eating out|eat out|takeaways?|take-?out|bars?|cafes?|coffee shops?|fast food)\b/i, 'DINING'],
  [/\b(?:groceries|grocery|supermarkets?|food shopping)\b/i, 'GROCERIES'],
  [/\b(?:transport|transportation|transit|commut\w*|travel to work|taxis?|cabs?|fuel|petrol|gas stations?|parking|trains?|bus(?:es)?)\b/i, 'TRANSPORT'],
  [/\b(?:subscriptions?|streaming)\b/i, 'SUBSCRIPTIONS'],
  [/\b(?:housing|rent|mortgage)\b/i, 'HOUSING'],
  [/\b(?:utilities|utility|bills|electricity|power bill|water bill|phone bill|internet)\b/i, 'UTILITIES'],
  [/\b(?:health|healthcare|medical|pharmacy|pharmacies|doctors?|dentists?|medicine)\b/i, 'HEALTH'],
  [/\b(?:shopping|clothes|clothing|electronics)\b/i, 'SHOPPING'],
  [/\b(?:entertainment|fun|movies|cinema|concerts?|games)\b/i, 'ENTERTAINMENT'],
  [/\b(?:travel|flights?|hotels?|airlines?|holidays?|vacations?|trips?)\b/i, 'TRAVEL'],
  [/\b(?:education|school|tuition|courses?)\b/i, 'EDUCATION'],
  [/\b(?:cash withdrawals?|atms?)\b/i, 'CASH'],
  [/\b(?:fees|insurance)\b/i, 'FEES'],
];

/** The category the text names, as SpendingCategory spells it. */
export function categoryIn(text: string): string | undefined {
  return CATEGORY_WORDS.find(([pattern]) => pattern.test(text))?.[1];
}

const CATEGORY_PHRASES: Record<string, string> = { CASH: 'cash withdrawals', FEES: 'fees and insurance', OTHER: 'other things' };

/** "DINING" -> "dining", "FEES" -> "fees and insurance". */
export function categoryWords(category: string): string {
  return CATEGORY_PHRASES[category] ?? category.toLowerCase();
}
