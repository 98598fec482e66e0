import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TraceSampler, TracingConfig } from '../config/config.js';
import type { SpanStart, Tracing } from './tracing.js';

/*
 * The OpenTelemetry SDK behind the tracing port, loaded by app.ts only when tracing is on. The
 * active context lives in an AsyncLocalStorage of this object's own rather than in the OTel API's
 * global context manager: nothing global is registered, so two gateways in one process (the tests)
 * trace apart, and every span is started with its parent given explicitly.
 */

export interface OtelOptions {
  /** Names this instance (service.instance.id). */
  instanceId: string;
  /** Spans go here instead of the configured exporter, each as it ends (tests: InMemorySpanExporter). */
  exporter?: SpanExporter;
}

const getter = {
  keys: (carrier: Readonly<Record<string, unknown>>) => Object.keys(carrier),
  get: (carrier: Readonly<Record<string, string | string[] | undefined>>, key: string) => carrier[key],
};

export async function createOtelTracing(config: TracingConfig | undefined, options: OtelOptions): Promise<Tracing> {
  const exporter = options.exporter ?? (await configuredExporter(config!));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config?.serviceName ?? 'coach-gateway', [ATTR_SERVICE_INSTANCE_ID]: options.instanceId }),
    // By default a caller's sampling decision (traceparent's flag) is kept and a trace started here is always sampled.
    sampler: sampler(config?.sampler ?? { kind: 'parentbased_always_on', ratio: 1 }),
    // An exporter given in-process (tests) sees each span as it ends; a real one gets batches off the request path.
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('coach-gateway');
  const store = new AsyncLocalStorage<Context>();
  const propagator = new W3CTraceContextPropagator();
  const active = () => store.getStore() ?? ROOT_CONTEXT;
  return {
    start: (name: string, start?: SpanStart, parent?: Context) => tracer.startSpan(name, start, parent ?? active()),
    within: (context, fn) => store.run(context, fn),
    active,
    extract: (headers) => propagator.extract(ROOT_CONTEXT, headers, getter),
    logFields() {
      const span = trace.getSpan(active());
      if (!span) return undefined;
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
    shutdown: () => provider.shutdown(),
  };
}

/** OTEL_TRACES_SAMPLER's names, as the specification defines them. */
function sampler({ kind, ratio }: { kind: TraceSampler; ratio: number }): Sampler {
  const root = kind.endsWith('always_on') ? new AlwaysOnSampler() : kind.endsWith('always_off') ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(ratio);
  return kind.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

async function configuredExporter(config: TracingConfig): Promise<SpanExporter> {
  if (config.exporter === 'console') return new ConsoleSpanExporter();
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url: config.endpoint, headers: config.headers });
}
