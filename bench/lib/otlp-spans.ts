/**
 * Counts the spans in an OTLP/HTTP trace export body without a protobuf schema: walks
 * ExportTraceServiceRequest.resource_spans(1) → ResourceSpans.scope_spans(2) → ScopeSpans.spans(2) and
 * reads each Span.name(5) (opentelemetry-proto trace/v1/trace.proto). JSON bodies are counted the same way.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** Span count by span name. */
export type SpanCounts = Map<string, number>;

/** Adds the spans of one export body to `into`. */
export function countSpans(body: Buffer, contentType: string, into: SpanCounts): void {
  if (contentType.includes('json')) countJson(body, into);
  else for (const resourceSpans of fields(body, 1)) for (const scopeSpans of fields(resourceSpans, 2)) for (const span of fields(scopeSpans, 2)) add(into, spanName(span));
}

/** The length-delimited occurrences of field `fieldNo` in a message. */
function* fields(message: Uint8Array, fieldNo: number): Generator<Uint8Array> {
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === fieldNo && wireType === WireType.LengthDelimited) yield reader.bytes();
    else reader.skip(wireType, no);
  }
}

function spanName(span: Uint8Array): string {
  const reader = new BinaryReader(span);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === 5 && wireType === WireType.LengthDelimited) return reader.string();
    reader.skip(wireType, no);
  }
  return '(unnamed)';
}

interface JsonExport {
  readonly resourceSpans?: readonly { readonly scopeSpans?: readonly { readonly spans?: readonly { readonly name?: string }[] }[] }[];
}

function countJson(body: Buffer, into: SpanCounts): void {
  const parsed = JSON.parse(body.toString('utf8')) as JsonExport;
  for (const resourceSpans of parsed.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) for (const span of scopeSpans.spans ?? []) add(into, span.name ?? '(unnamed)');
  }
}

function add(into: SpanCounts, name: string): void {
  into.set(name, (into.get(name) ?? 0) + 1);
}
