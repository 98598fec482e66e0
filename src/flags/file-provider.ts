import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import type { Logger } from '../shared/logger.js';
import { FLAG_KEYS, type FlagKey } from './flags.catalog.js';
import { evaluateFlag, parseFlagDocument, type FlagDocument } from './flags.rules.js';

/** How often the flags file's modification time is looked at: a change applies within this. */
export const FLAGS_FILE_POLL_MS = 500;

/**
 * An OpenFeature provider over the project's flags file (docs/flags.md) and FEATURE_* overrides.
 * The file is polled, not watched: editors that save by renaming replace the inode fs.watch follows.
 * A file that no longer parses is reported and the last good one stays in force.
 */
export class FileFlagProvider implements Provider {
  readonly metadata = { name: 'coach-gateway flags file' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  private doc: FlagDocument = {};

  constructor(
    private readonly file: string | undefined,
    private readonly overrides: Partial<Record<FlagKey, boolean>>,
    private readonly logger: Logger,
  ) {
    // Read at once, so a bad file fails the start instead of serving defaults.
    if (file) this.doc = parseFlagDocument(readFileSync(file, 'utf8'));
  }

  async initialize(): Promise<void> {
    if (this.file) watchFile(this.file, { interval: FLAGS_FILE_POLL_MS, persistent: false }, this.onChange);
  }

  async onClose(): Promise<void> {
    if (this.file) unwatchFile(this.file, this.onChange);
  }

  private readonly onChange = (now: Stats, before: Stats): void => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
    try {
      this.doc = parseFlagDocument(readFileSync(this.file!, 'utf8'));
      this.logger.info({ file: this.file }, 'flags file re-read');
      this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [...FLAG_KEYS] });
    } catch (error) {
      this.logger.error({ file: this.file, err: (error as Error).message }, 'flags file not applied: the last good one stays in force');
    }
  };

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    if (!(FLAG_KEYS as readonly string[]).includes(flagKey)) return { value: defaultValue, reason: 'ERROR', errorCode: ErrorCode.FLAG_NOT_FOUND };
    const subject = { userId: context.targetingKey ?? null, role: typeof context.role === 'string' ? context.role : null };
    const { enabled, variant, reason } = evaluateFlag(flagKey as FlagKey, this.doc, this.overrides, subject);
    return { value: enabled, variant, reason };
  }

  async resolveStringEvaluation(_key: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return { value: defaultValue, reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH };
  }

  async resolveNumberEvaluation(_key: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return { value: defaultValue, reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH };
  }

  async resolveObjectEvaluation<T extends JsonValue>(_key: string, defaultValue: T): Promise<ResolutionDetails<T>> {
    return { value: defaultValue, reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH };
  }
}
