/**
 * What the local store holds, oldest first: the id, size and write time of every file, so that the
 * disk cap (evict the oldest until under it) and the retention sweep (drop what is too old) never scan
 * the directory. Built once from the directory at boot; kept in step by every put and delete.
 */
export interface IndexedFile {
  readonly id: string;
  readonly byteSize: number;
  readonly writtenAt: number;
}

export interface DiskIndex {
  readonly totalBytes: number;
  readonly count: number;
  /** Records a (re)written file as the newest. */
  add(file: IndexedFile): void;
  remove(id: string): IndexedFile | undefined;
  get(id: string): IndexedFile | undefined;
  /** The oldest file, if any. */
  oldest(): IndexedFile | undefined;
}

/** An index of `files`, which may come in any order. */
export function createDiskIndex(files: readonly IndexedFile[] = []): DiskIndex {
  // A Map iterates in insertion order: inserting by write time, and re-inserting on rewrite, keeps the
  // oldest file first.
  const entries = new Map<string, IndexedFile>();
  let totalBytes = 0;
  const index: DiskIndex = {
    get totalBytes() {
      return totalBytes;
    },
    get count() {
      return entries.size;
    },
    add(file) {
      index.remove(file.id);
      entries.set(file.id, file);
      totalBytes += file.byteSize;
    },
    remove(id) {
      const file = entries.get(id);
      if (file === undefined) return undefined;
      entries.delete(id);
      totalBytes -= file.byteSize;
      return file;
    },
    get: (id) => entries.get(id),
    oldest() {
      for (const file of entries.values()) return file;
      return undefined;
    },
  };
  for (const file of [...files].sort((a, b) => a.writtenAt - b.writtenAt)) index.add(file);
  return index;
}
