/**
 * Name resolution over the catalog: every accepted model name (dated ids of both regions, their
 * aliases, short undated names) maps to one catalog entry and snapshot. Built once into a Map.
 */
import { modelCatalog } from './catalog.js';
import type { ModelEntry, ModelKey, ModelSnapshot, Region } from './types.js';

/** A model name resolved against the catalog. */
export interface ResolvedModel {
  readonly entry: ModelEntry;
  readonly snapshot: ModelSnapshot;
}

const byName = new Map<string, ResolvedModel>();
const byKey = new Map<ModelKey, ModelEntry>();
for (const entry of modelCatalog) {
  byKey.set(entry.key, entry);
  for (const snapshot of entry.snapshots) {
    for (const id of [...snapshot.ids.cn, ...snapshot.ids.international]) byName.set(id, { entry, snapshot });
  }
  const current = { entry, snapshot: entry.snapshots[0] };
  for (const name of entry.shortNames) byName.set(name, current);
}

/** Resolves any accepted model name; case-insensitive (upstream ids are lower case). */
export function findModel(name: string): ResolvedModel | undefined {
  return byName.get(name.trim().toLowerCase());
}

/** The catalog entry for a key. Keys are a closed union, so this cannot miss. */
export function modelByKey(key: ModelKey): ModelEntry {
  const entry = byKey.get(key);
  if (entry === undefined) throw new Error(`model catalog has no entry for ${key}`);
  return entry;
}

/** The id the upstream of `region` expects for this snapshot (its canonical id). */
export function upstreamModelId(snapshot: ModelSnapshot, region: Region): string {
  return snapshot.ids[region][0];
}

/** Every name that resolves to this entry, dated ids first. */
export function modelNames(entry: ModelEntry): string[] {
  const dated = entry.snapshots.flatMap((s) => [...s.ids.cn, ...s.ids.international]);
  return [...dated, ...entry.shortNames];
}
