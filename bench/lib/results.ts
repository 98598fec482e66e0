import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** One line of the summary table: a figure, its baseline, and whether the goal is met. */
export interface Row {
  bench: string;
  metric: string;
  value: string;
  baseline?: string;
  goal?: string;
  met?: boolean;
}

/** One chart in bench/results/report.html: the gateway's figure beside each baseline's, in one unit. */
export interface Chart {
  title: string;
  unit: string;
  higherIsBetter: boolean;
  /** Bar label -> value; the gateway's first. A missing baseline is left out, not drawn as 0. */
  series: Record<string, number>;
}

export interface BenchOutcome {
  rows: Row[];
  charts?: Chart[];
  /** Everything measured, written to bench/results/NAME.json. */
  figures: Record<string, unknown>;
  notes?: string[];
}

export function machine() {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function writeResult(name: string, outcome: BenchOutcome, extra: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  const doc = {
    benchmark: name,
    date: new Date().toISOString(),
    machine: machine(),
    ...extra,
    figures: outcome.figures,
    summary: outcome.rows,
    notes: outcome.notes ?? [],
  };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}
