// Lists every migration in order; `npm run migration:create` rewrites it.
import { Migration20261122043523 } from './Migration20261122043523.js';
import { Migration20261122044358 } from './Migration20261122044358.js';
import { Migration20261122044634 } from './Migration20261122044634.js';
import { Migration20261122045612 } from './Migration20261122045612.js';
import { Migration20261122051427 } from './Migration20261122051427.js';
import { Migration20261130165331 } from './Migration20261130165331.js';
import { Migration20261130180454 } from './Migration20261130180454.js';
import { Migration20261130180711 } from './Migration20261130180711.js';
import { Migration20261207155242 } from './Migration20261207155242.js';
import { Migration20261207182558 } from './Migration20261207182558.js';
import { Migration20261207185728 } from './Migration20261207185728.js';
import { Migration20261207190422 } from './Migration20261207190422.js';
import { Migration20261207190639 } from './Migration20261207190639.js';
import { Migration20261207192038 } from './Migration20261207192038.js';
import { Migration20261207212433 } from './Migration20261207212433.js';
import { Migration20261207213000 } from './Migration20261207213000.js';
import { Migration20261208020734 } from './Migration20261208020734.js';

export const MIGRATIONS = [
  { name: 'Migration20261122043523', class: Migration20261122043523 },
  { name: 'Migration20261122044358', class: Migration20261122044358 },
  { name: 'Migration20261122044634', class: Migration20261122044634 },
  { name: 'Migration20261122045612', class: Migration20261122045612 },
  { name: 'Migration20261122051427', class: Migration20261122051427 },
  { name: 'Migration20261130165331', class: Migration20261130165331 },
  { name: 'Migration20261130180454', class: Migration20261130180454 },
  { name: 'Migration20261130180711', class: Migration20261130180711 },
  { name: 'Migration20261207155242', class: Migration20261207155242 },
  { name: 'Migration20261207182558', class: Migration20261207182558 },
  { name: 'Migration20261207185728', class: Migration20261207185728 },
  { name: 'Migration20261207190422', class: Migration20261207190422 },
  { name: 'Migration20261207190639', class: Migration20261207190639 },
  { name: 'Migration20261207192038', class: Migration20261207192038 },
  { name: 'Migration20261207212433', class: Migration20261207212433 },
  { name: 'Migration20261207213000', class: Migration20261207213000 },
  { name: 'Migration20261208020734', class: Migration20261208020734 },
];
