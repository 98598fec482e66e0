/** Journal text rules: what of a message is content, and which template section each sentence belongs in. */

export interface TemplateSection {
  name: string;
  description: string;
  aliases: string[];
}

export type Topic = 'feelings' | 'money' | 'events';

const FILLERS: RegExp[] = [
  /^(?:ok(?:ay)?|so|well|oh|hey|hi|hello|right)[,!.:]\s*/i,
  /^(?:also|please|pls|and also)\b[,]?\s*/i,
  /^(?:can|could|would|will) you\s+(?:please\s+)?/i,
  /^(?:i want to|i'd like to|i would like to|let's|lets|help me|i need to)\s+/i,
];
const COMMANDS: RegExp[] = [
  /^(?:create|make|start|write|add|begin|open|log|record|put|draft)\s+(?:(?:a|an|my|the|new|this|that|in|into|to|today's)\s+)*(?:journal|diary)(?:\s+(?:entry|note|page))?\b[,:.-]?\s*/i,
  /^(?:add|note|jot down|write down|put down)\b(?:\s+(?:that|this|some|more|details?|to it|to the entry))*\s*[:,-]?\s*/i,
  /^(?:in|for|to) (?:my|the) (?:journal|diary|draft)\b[,:]?\s*/i,
];
// Only after a command: "that was a terrible day" keeps its "that".
const CONNECTORS = /^(?:(?:to say|to write|saying|that says|which says|that|about|to|:|-|,)\s*)+/i;
const SUFFIX = /\s*\b(?:in|to|into|for) (?:my|the) (?:journal|diary|draft)\s*[.!]*$/i;

/** The part of a message meant for the journal: "create a journal entry to say i'm sad" → "I'm sad". */
export function journalText(message: string): string {
  let text = message.trim();
  for (let changed = true; changed;) {
    changed = false;
    for (const filler of FILLERS) {
      const next = text.replace(filler, '').trim();
      if (next !== text) [text, changed] = [next, true];
    }
    for (const command of COMMANDS) {
      const next = text.replace(command, '').trim();
      if (next !== text) [text, changed] = [next.replace(CONNECTORS, '').trim(), true];
    }
  }
  text = text.replace(SUFFIX, '').trim();
  return tidyFirstPerson(text);
}

/** Lower-case chat habits, written the way a journal would: "i'm" → "I'm", first letter upper case. */
export function tidyFirstPerson(text: string): string {
  const fixed = text
    .replace(/\bim\b/g, "I'm")
    .replace(/\bi(?=['’](?:m|ve|ll|d)\b)/g, 'I')
    .replace(/\bi\b/g, 'I');
  return fixed.charAt(0).toUpperCase() + fixed.slice(1);
}

const TOPIC_WORDS: Record<Topic, RegExp> = {
  feelings:
    /\b(?:feel|feels|feeling|feelings|felt|sad|sadness|happy|unhappy|angry|mad|upset|anxious|anxiety|worried|worry|worrying|stressed|stress|stressful|depressed|lonely|grateful|thankful|excited|frustrated|scared|afraid|nervous|calm|proud|ashamed|guilty|hopeful|hopeless|overwhelmed|hurt|miserable|glad|joy|joyful|cry|cried|crying|tired|exhausted|love|hate|relieved|disappointed|mood|emotional|heartbroken|numb|content|terrible|awful|great|good|bad|down|low)\b/gi,
  money:
    /[$€£¥]|\b(?:money|stocks?|market|markets|trade|trades|trading|traded|shares?|invest|invested|investing|investment|portfolio|crypto|bitcoin|positions?|profit|losses|dollars?|euros?|salary|budget|bank|savings)\b/gi,
  events:
    /\b(?:today|yesterday|tonight|morning|afternoon|evening|happened|went|met|meeting|work|lost|won|bought|sold|visited|called|had|did|got|came|saw|talked|started|finished|lunch|dinner|party|trip|weekend|day)\b/gi,
};

/** Which topic a sentence is mostly about; undefined when none stands out. */
export function topicOf(sentence: string): Topic | undefined {
  let best: Topic | undefined;
  let bestScore = 0;
  // Ties go to feelings first: "I'm sad" matters more than "today".
  for (const topic of ['feelings', 'money', 'events'] as const) {
    const score = sentence.match(TOPIC_WORDS[topic])?.length ?? 0;
    if (score > bestScore) {
      best = topic;
      bestScore = score;
    }
  }
  return best;
}

/** Words that mark a section as the home of a topic, looked for in its name, aliases and description. */
const SECTION_WORDS: Record<Topic, string[]> = {
  feelings: ['feel', 'emotion', 'mood', 'well-being', 'wellbeing', 'inner', 'mental', 'stress', 'thought'],
  events: ['event', 'happen', 'today', 'activit', 'moment', 'meeting', 'day'],
  money: ['trad', 'market', 'position', 'invest', 'asset', 'financ', 'money', 'portfolio', 'spend'],
};
const FALLBACKS: Record<Topic, Topic[]> = { feelings: ['feelings'], events: ['events'], money: ['money', 'events'] };

function sectionScore(section: TemplateSection, topic: Topic): number {
  const hits = (text: string) => SECTION_WORDS[topic].filter((word) => text.toLowerCase().includes(word)).length;
  // The name says most about a section, then its aliases, then the description.
  return 3 * hits(section.name) + 2 * section.aliases.reduce((sum, alias) => sum + hits(alias), 0) + hits(section.description);
}

/** The section for a topic: the best-scoring one, or the template's first section. */
export function sectionFor(topic: Topic | undefined, sections: TemplateSection[]): TemplateSection | undefined {
  if (topic) {
    for (const candidate of FALLBACKS[topic]) {
      let best: TemplateSection | undefined;
      let bestScore = 0;
      for (const section of sections) {
        const score = sectionScore(section, candidate);
        if (score > bestScore) {
          best = section;
          bestScore = score;
        }
      }
      if (best) return best;
    }
  }
  return sections[0];
}

export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Maps journal text into template sections, sentence by sentence, in template order. */
export function chooseSections(text: string, template: TemplateSection[]): Array<{ name: string; content: string }> {
  const grouped = new Map<string, string[]>();
  for (const sentence of sentences(text)) {
    const section = sectionFor(topicOf(sentence), template);
    if (section) grouped.set(section.name, [...(grouped.get(section.name) ?? []), sentence]);
  }
  return template.filter((s) => grouped.has(s.name)).map((s) => ({ name: s.name, content: grouped.get(s.name)!.join(' ') }));
}

const NEGATIVE =
  /\b(?:sad|unhappy|angry|upset|anxious|worried|stressed|depressed|lonely|frustrated|scared|afraid|nervous|ashamed|guilty|hopeless|overwhelmed|hurt|miserable|cried|crying|exhausted|disappointed|heartbroken|terrible|awful|bad|lost|down|low)\b/i;

export function soundsDifficult(text: string): boolean {
  return NEGATIVE.test(text);
}
