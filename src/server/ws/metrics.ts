import type { ExecutionResult, GraphQLError, OperationDefinitionNode } from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { clientCode } from '../../graphql/errors.js';
import type { Metrics, Transport } from '../../shared/metrics.js';

export interface OpenOperation {
  started: number;
  transport: Transport;
  type: string;
  name: string | null;
}

/** Per-operation outcome and duration, from the subscribe message to its result (or refusal). */
export function createOperationMetrics(metrics: Pick<Metrics, 'operation'>, now: () => number = () => performance.now()) {
  const record = (op: OpenOperation, outcome: string) =>
    metrics.operation({ transport: op.transport, type: op.type, name: op.name, outcome, seconds: (now() - op.started) / 1000 });
  return {
    start(operationName: string | null | undefined, transport: Transport = 'ws'): OpenOperation {
      return { started: now(), transport, type: 'unknown', name: operationName ?? null };
    },

    /** The type and name once the document is known. */
    identify(op: OpenOperation, operation: OperationDefinitionNode | null | undefined): void {
      op.type = operation?.operation ?? 'unknown';
      op.name = operation?.name?.value ?? op.name;
    },

    /** Refused before execution: the first error's code is the outcome. */
    refused(op: OpenOperation, errors: readonly GraphQLError[]): void {
      record(op, String(errors[0]?.extensions.code));
    },

    /** After execution: a stream, or one result. */
    executed(op: OpenOperation, result: OperationResult): void {
      const errors = Symbol.asyncIterator in result || !('errors' in result) ? undefined : (result as ExecutionResult).errors;
      record(op, errors?.length ? clientCode(errors[0]!) : 'ok');
    },
  };
}
