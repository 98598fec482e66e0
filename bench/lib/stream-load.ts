// What the stream bench's processes share: the token text, and how to start a child script and talk to it.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './gateway.js';

/** Each token names its run and position, so a subscriber can tell a lost or reordered one. */
export const streamTokenText = (run: number, i: number): string => `r${run}t${i} `;

/** Forks bench/<script> with tsx and an IPC channel. */
export function forkScript(script: string, env: Record<string, string> = {}): ChildProcess {
  return fork(join(ROOT, 'bench', script), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The next IPC message of `type` from `child`, or an error if it exits or `ms` pass first. */
export function nextMessage<T>(child: ChildProcess, type: string, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no '${type}' from ${child.spawnargs.at(-1)} within ${ms} ms`)), ms);
    const onMessage = (m: { type?: string }) => m?.type === type && done(undefined, m as T);
    const onExit = (code: number | null) => done(new Error(`${child.spawnargs.at(-1)} exited ${code} before '${type}'`));
    function done(error?: Error, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
