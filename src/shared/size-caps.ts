/** Size caps shared by the GraphQL inputs, the services and the import validator. */
export const SIZE_CAPS = {
  templateName: 100,
  templateSections: 30,
  sectionName: 80,
  sectionDescription: 1_000,
  sectionAliases: 10,
  /** One updateDraft section's text. */
  draftInputContent: 10_000,
  /** A section after many MERGEs. */
  sectionContent: 50_000,
  draftInputSections: 30,
  journalTitle: 200,
  purposeStatement: 2_000,
  listItems: 20,
  listItem: 500,
  glossaryTerms: 100,
  glossaryTerm: 100,
  glossaryDefinition: 1_000,
  sessionTitle: 200,
  metadataBytes: 10_000,
  /** Below the JSON scalar's 64, so an exported session's metadata can be imported again. */
  metadataDepth: 32,
  messageContent: 100_000,
  searchText: 200,
} as const;
