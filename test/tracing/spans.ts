// The OpenTelemetry SDK's in-memory exporter behind a provider of the tests' own (never registered globally
// unless a test says so), the async-local-storage context manager (registered: store calls nest under steps
// through the active context, as under a real SDK setup), and a span tree to assert on.
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type Sampler } from "@opentelemetry/sdk-trace-base";

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

export function memoryTracing(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  return { provider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }), exporter };
}

/** A provider that counts every tracer asked of it and every span started through those tracers. */
export function countingProvider(sampler?: Sampler): { provider: BasicTracerProvider; counts: { tracers: number; spans: number }; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const counts = { tracers: 0, spans: 0 };
  const getTracer = provider.getTracer.bind(provider);
  provider.getTracer = (...args: Parameters<typeof getTracer>) => {
    counts.tracers++;
    const tracer = getTracer(...args);
    const startSpan = tracer.startSpan.bind(tracer);
    tracer.startSpan = (...a: Parameters<typeof startSpan>) => (counts.spans++, startSpan(...a));
    return tracer;
  };
  return { provider, counts, exporter };
}

export function registerGlobally(provider: BasicTracerProvider): () => void {
  trace.setGlobalTracerProvider(provider);
  return () => trace.disable();
}

export interface SpanNode {
  readonly span: ReadableSpan;
  readonly name: string;
  readonly attributes: ReadableSpan["attributes"];
  readonly children: SpanNode[];
}

/** The finished spans as trees (roots: spans whose parent is not among them). */
export function spanTrees(spans: readonly ReadableSpan[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) nodes.set(span.spanContext().spanId, { span, name: span.name, attributes: span.attributes, children: [] });
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanContext?.spanId;
    const into = parent === undefined ? undefined : nodes.get(parent);
    if (into === undefined) roots.push(node);
    else into.children.push(node);
  }
  const order = (list: SpanNode[]) => {
    list.sort((a, b) => a.span.startTime[0] - b.span.startTime[0] || a.span.startTime[1] - b.span.startTime[1]);
    for (const n of list) order(n.children);
  };
  order(roots);
  return roots;
}

/** Every node of the trees, depth first. */
export function allNodes(roots: readonly SpanNode[]): SpanNode[] {
  return roots.flatMap((n) => [n, ...allNodes(n.children)]);
}

export function parentOf(node: SpanNode, all: readonly SpanNode[]): SpanNode | undefined {
  return all.find((p) => p.children.includes(node));
}
