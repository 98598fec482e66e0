import type { DestinationStream } from 'pino';
import type { Config } from '../config/config.js';

export interface LogDestination {
  /** undefined: JSON lines on stdout. */
  destination?: DestinationStream;
  pretty: boolean;
  /** Set when pretty was wanted but could not be had. */
  warning?: string;
}

/** Whether a person reads the logs: LOG_FORMAT, else a terminal outside production. */
export function wantsPrettyLogs(config: Pick<Config, 'logFormat' | 'env'>, isTTY: boolean | undefined): boolean {
  if (config.logFormat !== 'auto') return config.logFormat === 'pretty';
  return isTTY === true && config.env !== 'production';
}

/** pino-pretty is a dev dependency: loaded only when wanted, and a production install without it still logs (JSON). */
export async function logDestination(config: Pick<Config, 'logFormat' | 'env'>, isTTY = process.stdout.isTTY): Promise<LogDestination> {
  if (!wantsPrettyLogs(config, isTTY)) return { pretty: false };
  try {
    const { default: pretty } = await import('pino-pretty');
    return {
      destination: pretty({ colorize: isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true }),
      pretty: true,
    };
  } catch {
    return { pretty: false, warning: 'LOG_FORMAT asks for human-readable logs but pino-pretty is not installed (a dev dependency): writing JSON' };
  }
}
