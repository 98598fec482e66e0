/** What the agent service needs of the process that executes runs (the AgentRunner). */
export interface AgentRuntime {
  /** False once shutdown began: new runs are refused. */
  readonly acceptingRuns: boolean;
  readonly activeRuns: number;
  readonly provider: { readonly name: string; readonly model: string };
  start(runId: string): void;
  /** Asks whichever instance executes the run to stop it. */
  requestCancel(runId: string): Promise<void>;
}
