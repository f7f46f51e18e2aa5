/**
 * Histograms that aggregate in the gateway and hand the SDK's metric readers finished data points at
 * collection time — the histogram counterpart of summed-counter.ts. On the wire nothing changes: the
 * same metric (name, unit, description, explicit bucket boundaries), one data point per attribute set
 * with the SDK's count, sum, min, max, bucket counts, start and end times, cumulative or delta as each
 * reader selects, in the SDK's scope entry of the meter.
 *
 * Why: every SDK `record` hashes its attributes (sorts the keys, JSON-encodes the pairs) once per
 * reader, and an images call makes four histogram records (issue 15 profile: `hashAttributes` alone
 * ≈ 15 µs of a traced call). Here a record finds its attribute set by object identity (frozen attribute
 * objects, built once by the caller) or by a key built from the values, and adds to plain numbers.
 *
 * How the data reaches the readers (gateway-histogram-readers.ts): sdk.ts calls `collectGatewayHistograms(readers)` before the SDK
 * binds them; each reader's metric producer is wrapped so its result gains these histograms. The
 * bookkeeping mirrors the SDK's (sdk-metrics TemporalMetricProcessor): one shared interval of
 * accumulations drained at every collection and stashed for every reader; a cumulative reader merges
 * what it has not seen into its last report (start time: the set's first record), a delta reader gets
 * what it has not seen (start time: its previous collection for a set it reported then).
 */
import type { Attributes, AttributeValue, Histogram, MetricOptions } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  InstrumentType,
  type HistogramMetricData,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';

export type HrTime = [number, number];

/** One attribute set of one histogram: the attributes exported (the first recorded) and its interval. */
interface AttributeSet {
  readonly attributes: Attributes;
  /** The accumulation of the current (not yet drained) interval, if any record fell in it. */
  current: Accumulation | undefined;
}

/** What a data point is built from; never changed once drained (readers share drained ones). */
interface Accumulation {
  startTime: HrTime;
  readonly counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
  hasMinMax: boolean;
}

/** What one reader has not reported yet, and what it reported last. */
interface ReaderState {
  readonly temporality: AggregationTemporality;
  unreported: Map<AttributeSet, Accumulation>;
  last: { readonly accumulations: Map<AttributeSet, Accumulation>; readonly time: HrTime } | undefined;
}

/** Most distinct attribute sets kept, as the SDK's default cardinality limit; later ones share the overflow set. */
const MAX_SETS = 2000;
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

export class GatewayHistogram implements Histogram {
  private readonly byObject = new WeakMap<Attributes, AttributeSet>();
  private readonly byKey = new Map<string, AttributeSet>();
  private readonly byCanonical = new Map<string, AttributeSet>();
  /** Sets with a record in the current interval, in their first record's order (the SDK's map order). */
  private active: AttributeSet[] = [];
  private readonly readers = new Map<MetricReader, ReaderState>();
  readonly descriptor: HistogramMetricData['descriptor'];

  constructor(
    name: string,
    options: MetricOptions,
    private readonly boundaries: readonly number[],
  ) {
    // What the SDK's instrument descriptor holds (its type says less: exporters read name, unit, description).
    const descriptor = { name, type: InstrumentType.HISTOGRAM, description: options.description ?? '', unit: options.unit ?? '', valueType: ValueType.DOUBLE, advice: options.advice ?? {} };
    this.descriptor = descriptor;
  }

  record(value: number, attributes: Attributes = {}): void {
    // As the SDK's Histogram: negative and non-number values are dropped; NaN opens the set but counts nothing.
    if (value < 0 || typeof value !== 'number') return;
    const set = this.setOf(attributes);
    let acc = set.current;
    if (acc === undefined) {
      acc = { startTime: millisToHrTime(Date.now()), counts: new Array<number>(this.boundaries.length + 1).fill(0), count: 0, sum: 0, min: Infinity, max: -Infinity, hasMinMax: false };
      set.current = acc;
      this.active.push(set);
    }
    if (Number.isNaN(value)) return;
    acc.count += 1;
    acc.sum += value;
    if (value < acc.min) acc.min = value;
    if (value > acc.max) acc.max = value;
    acc.hasMinMax = true;
    acc.counts[bucketOf(this.boundaries, value)]! += 1;
  }

  /** Starts keeping what `reader` has not reported (from now on, as the SDK does for its collectors). */
  addReader(reader: MetricReader): void {
    this.readers.set(reader, { temporality: reader.selectAggregationTemporality(InstrumentType.HISTOGRAM), unreported: new Map(), last: undefined });
  }

  /** The metric as `reader` reports it at `endTime`; undefined when it has nothing to report (as the SDK). */
  collect(reader: MetricReader, endTime: HrTime): HistogramMetricData | undefined {
    const state = this.readers.get(reader);
    if (state === undefined) return undefined;
    this.drain();
    const unreported = state.unreported;
    state.unreported = new Map();
    let result: Map<AttributeSet, Accumulation>;
    if (state.last === undefined) result = unreported;
    else if (state.temporality === AggregationTemporality.CUMULATIVE) {
      result = state.last.accumulations;
      for (const [set, acc] of unreported) {
        const previous = result.get(set);
        result.set(set, previous === undefined ? acc : merged(previous, acc));
      }
    } else {
      result = unreported;
      for (const [set, acc] of result) if (state.last.accumulations.has(set)) result.set(set, { ...acc, startTime: state.last.time });
    }
    state.last = { accumulations: result, time: endTime };
    if (result.size === 0) return undefined;
    const dataPoints: HistogramMetricData['dataPoints'] = [];
    for (const [set, acc] of result) {
      dataPoints.push({
        attributes: set.attributes,
        startTime: acc.startTime,
        endTime,
        value: {
          min: acc.hasMinMax ? acc.min : undefined,
          max: acc.hasMinMax ? acc.max : undefined,
          sum: acc.sum,
          buckets: { boundaries: this.boundaries as number[], counts: acc.counts },
          count: acc.count,
        },
      });
    }
    return { descriptor: this.descriptor, aggregationTemporality: state.temporality, dataPointType: DataPointType.HISTOGRAM, dataPoints };
  }

  /** Ends the current interval: its accumulations go to every reader's unreported ones. */
  private drain(): void {
    const sets = this.active;
    if (sets.length === 0) return;
    this.active = [];
    for (const set of sets) {
      const acc = set.current!;
      set.current = undefined;
      for (const state of this.readers.values()) {
        const previous = state.unreported.get(set);
        state.unreported.set(set, previous === undefined ? acc : merged(previous, acc));
      }
    }
  }

  private setOf(attributes: Attributes): AttributeSet {
    const known = this.byObject.get(attributes);
    if (known !== undefined) return known;
    const key = keyOf(attributes);
    let set = this.byKey.get(key);
    if (set === undefined) {
      const canonical = canonicalKey(attributes);
      set = this.byCanonical.get(canonical);
      if (set === undefined) {
        if (this.byCanonical.size >= MAX_SETS - 1) return this.overflow();
        set = { attributes: { ...attributes }, current: undefined };
        this.byCanonical.set(canonical, set);
      }
      this.byKey.set(key, set);
    }
    // Frozen attribute objects are the callers' constants: later records find their set by identity.
    if (Object.isFrozen(attributes)) this.byObject.set(attributes, set);
    return set;
  }

  private overflow(): AttributeSet {
    const canonical = canonicalKey(OVERFLOW_ATTRIBUTES);
    let set = this.byCanonical.get(canonical);
    if (set === undefined) this.byCanonical.set(canonical, (set = { attributes: OVERFLOW_ATTRIBUTES, current: undefined }));
    return set;
  }
}

/** The SDK's bucket index: the first boundary ≥ value (upper bounds inclusive), else the overflow bucket. */
function bucketOf(boundaries: readonly number[], value: number): number {
  let lo = 0;
  let hi = boundaries.length - 1;
  let found = boundaries.length;
  while (hi >= lo) {
    const mid = lo + Math.trunc((hi - lo) / 2);
    if (boundaries[mid]! < value) lo = mid + 1;
    else {
      found = mid;
      hi = mid - 1;
    }
  }
  return found;
}

/** The SDK's merge of two histogram accumulations: the earlier start, summed counts, joined min/max. */
function merged(previous: Accumulation, next: Accumulation): Accumulation {
  return {
    startTime: previous.startTime,
    counts: previous.counts.map((count, i) => count + next.counts[i]!),
    count: previous.count + next.count,
    sum: previous.sum + next.sum,
    min: Math.min(previous.min, next.min),
    max: Math.max(previous.max, next.max),
    hasMinMax: previous.hasMinMax || next.hasMinMax,
  };
}

/** The attributes in the caller's key order, unambiguous (lengths prefix names and values; types tagged). */
function keyOf(attributes: Attributes): string {
  let key = '';
  for (const name in attributes) {
    const value = attributes[name];
    const text = valueText(value);
    key += `${name.length}:${name}${typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'o'}${text.length}:${text}`;
  }
  return key;
}

function valueText(value: AttributeValue | undefined): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value) ?? 'u';
}

/** The SDK's identity of an attribute set: sorted keys, JSON-encoded pairs. */
function canonicalKey(attributes: Attributes): string {
  return JSON.stringify(
    Object.keys(attributes)
      .sort()
      .map((key) => [key, attributes[key]]),
  );
}
