import type { ApolloServerPlugin } from '@apollo/server';
import { SpanStatusCode } from '@opentelemetry/api';
import type { GraphQLContext } from '../shared/request-context.js';
import { activeSpan, type Tracing } from '../shared/tracing.js';

/**
 * Names the operation's span (server/tracing.ts starts it before Apollo) after the operation, with
 * its type and name, and marks it failed with the errors' codes. Mounted only when tracing is on.
 */
export function tracingPlugin(tracing: Tracing): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      const span = activeSpan(tracing);
      if (!span) return;
      return {
        async didResolveOperation({ operationName, operation }) {
          const type = operation?.operation ?? 'unknown';
          span.updateName(operationName ? `${type} ${operationName}` : type);
          span.setAttributes({ 'graphql.operation.type': type, ...(operationName ? { 'graphql.operation.name': operationName } : {}) });
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (!errors?.length) return;
          const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          span.setAttribute('graphql.error.codes', codes);
          span.setStatus({ code: SpanStatusCode.ERROR });
        },
      };
    },
  };
}
