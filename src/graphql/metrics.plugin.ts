import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from '../shared/metrics.js';
import type { GraphQLContext } from '../shared/request-context.js';

/** Counts and times every HTTP operation by name and outcome (ok, or the first error's code). */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, request, response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.code;
          metrics.operation({
            transport: 'http',
            type: operation?.operation ?? 'unknown',
            name: operationName ?? request.operationName,
            outcome: errors?.length ? (typeof code === 'string' ? code : 'error') : 'ok',
            seconds: (performance.now() - started) / 1000,
          });
        },
      };
    },
    // Refused before an operation exists (rate limits run in the context function).
    async contextCreationDidFail({ error }) {
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      metrics.operation({ transport: 'http', type: 'unknown', name: null, outcome: typeof code === 'string' ? code : 'error', seconds: 0 });
    },
  };
}
