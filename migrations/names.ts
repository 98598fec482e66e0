// The names of migrations/index.ts, in order, without their classes (which load
// @mikro-orm/migrations): a start on a migrated database only compares names.
// `npm run migration:create` rewrites it.
export const MIGRATION_NAMES = [
  'Migration20261122043523',
  'Migration20261122044358',
  'Migration20261122044634',
  'Migration20261122045612',
  'Migration20261122051427',
  'Migration20261130165331',
  'Migration20261130180454',
  'Migration20261130180711',
  'Migration20261207155242',
  'Migration20261207182558',
  'Migration20261207185728',
  'Migration20261207190422',
  'Migration20261207190639',
  'Migration20261207192038',
  'Migration20261207212433',
  'Migration20261207213000',
  'Migration20261208020734',
];
