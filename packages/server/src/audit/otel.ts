import { type AuditEvent, openAuditEvent, type SealedAuditEvent } from '@gatehouse/core';
import { type Attributes, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/**
 * Audit events as OpenTelemetry spans, following the GenAI semantic
 * conventions for tool execution: one `execute_tool {name}` span per tool
 * call, from its decision to its outcome, with `gen_ai.*` attributes and
 * Gatehouse's own under `gatehouse.*`. Spans go through `@opentelemetry/api`,
 * so any exporter works.
 */
export class ToolCallSpans {
  /** Allowed calls whose outcome has not come yet, by decision id. */
  readonly #open = new Map<string, AuditEvent>();

  constructor(
    private readonly tracer: Tracer,
    private readonly maxOpen = 10_000,
  ) {}

  add(event: AuditEvent): void {
    const id = event.decision_id;
    if (id === undefined || event.what.tool === undefined) return;
    if (event.type === 'decision') {
      if (event.outcome.status === 'allowed' || event.outcome.status === 'approved') {
        this.#open.set(id, event);
        if (this.#open.size > this.maxOpen) {
          const [oldest] = this.#open;
          if (oldest) {
            this.#open.delete(oldest[0]);
            this.emit(oldest[1]);
          }
        }
        return;
      }
      this.emit(event);
    } else if (event.type === 'execution') {
      const decision = this.#open.get(id);
      this.#open.delete(id);
      this.emit(decision ?? event, event);
    }
  }

  /** Ends the spans of calls whose outcome never came. */
  flush(): void {
    for (const decision of this.#open.values()) this.emit(decision);
    this.#open.clear();
  }

  private emit(decision: AuditEvent, execution?: AuditEvent): void {
    const tool = decision.what.tool as string;
    const attributes: Attributes = {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': tool,
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': decision.decision_id as string,
      'gatehouse.decision': decision.outcome.status,
      'gatehouse.audit.seq': (execution ?? decision).seq,
    };
    const agent = decision.who.agent;
    if (agent) {
      attributes['gen_ai.agent.id'] = agent.id;
      if (agent.name !== undefined) attributes['gen_ai.agent.name'] = agent.name;
    }
    if (decision.session_id !== undefined) attributes['gen_ai.conversation.id'] = decision.session_id;
    if (decision.what.args_hash !== undefined) attributes['gatehouse.args_hash'] = decision.what.args_hash;
    if (decision.approval_id !== undefined) attributes['gatehouse.approval_id'] = decision.approval_id;
    if (decision.why?.rules?.length) attributes['gatehouse.rules'] = decision.why.rules.map((r) => r.id);
    const userId = decision.who.user?.id;
    if (typeof userId === 'string') attributes['enduser.id'] = userId;
    if (execution) attributes['gatehouse.outcome'] = execution.outcome.status;

    const span = this.tracer.startSpan(`execute_tool ${tool}`, {
      kind: SpanKind.INTERNAL,
      startTime: new Date(decision.time),
      attributes,
    });
    const failure =
      execution?.outcome.status === 'failed'
        ? execution.outcome
        : decision.outcome.status === 'denied' || decision.outcome.status === 'escalated'
          ? decision.outcome
          : undefined;
    if (failure) {
      span.setAttribute('error.type', failure.code ?? failure.status);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: failure.detail ?? failure.code ?? failure.status,
      });
    }
    span.end(new Date((execution ?? decision).time));
  }
}

const resource = () => resourceFromAttributes({ 'service.name': 'gatehouse' });

/** Live export of committed audit events to an OTLP/HTTP endpoint, batched, off the decision path. */
export class OtlpAuditExporter {
  readonly #provider: TracerProvider;
  readonly #spans: ToolCallSpans;

  constructor(target: { url: string; headers: Readonly<Record<string, string>> }) {
    this.#provider = new TracerProvider({
      resource: resource(),
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: target.url, headers: { ...target.headers } }),
          scheduledDelayMillis: 1000,
        }),
      ],
    });
    this.#spans = new ToolCallSpans(this.#provider.getTracer('gatehouse-audit'));
  }

  export(events: readonly SealedAuditEvent[]): void {
    for (const event of events) this.#spans.add(openAuditEvent(event));
  }

  async flush(): Promise<void> {
    await this.#provider.forceFlush();
  }

  async close(): Promise<void> {
    this.#spans.flush();
    await this.#provider.shutdown().catch(() => undefined);
  }
}

/**
 * Writes audit events as OTLP JSON: one `ExportTraceServiceRequest` per line,
 * `batch` spans each (the form OpenTelemetry's file receivers read).
 */
export async function writeOtlpJsonLines(
  events: AsyncIterable<AuditEvent>,
  write: (line: string) => Promise<void> | void,
  batch = 1000,
): Promise<number> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resource(),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const spans = new ToolCallSpans(provider.getTracer('gatehouse-audit'), Number.POSITIVE_INFINITY);
  let written = 0;
  const drain = async () => {
    const finished = memory.getFinishedSpans();
    if (finished.length === 0) return;
    memory.reset();
    written += finished.length;
    await write(`${new TextDecoder().decode(JsonTraceSerializer.serializeRequest([...finished]))}\n`);
  };
  for await (const event of events) {
    spans.add(event);
    if (memory.getFinishedSpans().length >= batch) await drain();
  }
  spans.flush();
  await drain();
  await provider.shutdown();
  return written;
}
