// The per-tab journal in extension storage: append-only, chunked, capped.
//
// Records are written in chunks of `chunk` under `chunk:<tab>:<n>`, with a
// `meta:<tab>` entry (first/next chunk, count, dropped). Appends are
// write-behind: a record is written as soon as the previous write for its tab
// finished, batched with whatever arrived meanwhile, so nothing stays only in
// memory longer than one storage write. Past `cap` records the oldest chunks
// go, and `read()` starts with a `dropped` record saying how many: never silent.
// `storage` has the shape of chrome.storage.local (get/set/remove, promises).
//
// `onAccepted(tab, records, start)` announces records with their positions
// (`start` counts everything ever appended, kept or dropped) as soon as they
// are appended, so a live view need not wait for the disk; `onWritten` runs
// once a batch is stored; `onFailed(tab, error)` when a write fails (that
// batch is not in the journal and announced positions are void).
// Chunks are small (100) because every append rewrites the newest chunk.
export function createJournalStore({ storage, cap = 20000, chunk = 100, onAccepted = () => {}, onWritten = () => {}, onFailed = () => {} }) {
  const metaKey = (tab) => `meta:${tab}`;
  const chunkKey = (tab, n) => `chunk:${tab}:${n}`;
  const pending = new Map();
  const writing = new Map();
  // Write-through copies of each tab's meta and newest chunk: this store is the
  // only writer, so after the first read an append costs one storage write.
  const metas = new Map();
  const tails = new Map(); // tab → { n, records }

  async function readMeta(tab) {
    if (metas.has(tab)) return { ...metas.get(tab) };
    const got = await storage.get(metaKey(tab));
    return got[metaKey(tab)] || { first: 0, next: 0, count: 0, dropped: 0 };
  }

  async function read(tab) {
    return (await readWithTotal(tab)).records;
  }

  /** The records, and how many were ever appended (the position after the last). */
  async function readWithTotal(tab) {
    await idle(tab);
    const meta = await readMeta(tab);
    const keys = [];
    for (let n = meta.first; n < meta.next; n++) keys.push(chunkKey(tab, n));
    const got = keys.length ? await storage.get(keys) : {};
    const records = [];
    if (meta.dropped > 0) records.push({ kind: 'dropped', count: meta.dropped, time: null });
    for (const k of keys) for (const r of got[k] || []) records.push(r);
    return { records, total: meta.count + meta.dropped };
  }

  // Live announcements. Once a tab's meta is known, a record gets its position
  // the moment it is appended (records of one task go out together), so a live
  // view never waits behind a write in progress.
  const totals = new Map(); // tab → records ever appended (kept + dropped + in flight)
  const unannounced = new Map(); // tab → { start, records } to announce at the end of this task
  const announce = (tab, records) => {
    const start = totals.get(tab);
    totals.set(tab, start + records.length);
    let q = unannounced.get(tab);
    if (!q) {
      q = { start, records: [] };
      unannounced.set(tab, q);
      queueMicrotask(() => {
        unannounced.delete(tab);
        onAccepted(tab, q.records, q.start);
      });
    }
    q.records.push(...records);
  };

  function append(tab, record) {
    if (!pending.has(tab)) pending.set(tab, []);
    pending.get(tab).push(record);
    if (totals.has(tab)) announce(tab, [record]);
    if (!writing.has(tab)) writing.set(tab, flush(tab));
    return writing.get(tab);
  }

  async function flush(tab) {
    try {
      while ((pending.get(tab) || []).length) {
        const batch = pending.get(tab);
        pending.set(tab, []);
        const meta = await readMeta(tab);
        if (!totals.has(tab)) {
          // First write since the worker started: what arrived so far is announced
          // now, at positions after everything stored (kept + dropped).
          totals.set(tab, meta.count + meta.dropped);
          announce(tab, batch.concat(pending.get(tab) || []));
        }
        let last = meta.next - 1;
        let current = [];
        if (last >= meta.first) {
          const tail = tails.get(tab);
          current = tail && tail.n === last ? tail.records.slice() : (await storage.get(chunkKey(tab, last)))[chunkKey(tab, last)] || [];
        }
        const writes = {};
        for (const r of batch) {
          if (last < meta.first || current.length >= chunk) {
            if (last >= meta.first) writes[chunkKey(tab, last)] = current;
            last += 1;
            current = [];
          }
          current.push(r);
          meta.count += 1;
        }
        writes[chunkKey(tab, last)] = current;
        meta.next = last + 1;
        const removed = [];
        while (meta.count > cap && meta.first < last) {
          const k = chunkKey(tab, meta.first);
          const old = writes[k] || (await storage.get(k))[k] || [];
          meta.count -= old.length;
          meta.dropped += old.length;
          delete writes[k];
          removed.push(k);
          meta.first += 1;
        }
        writes[metaKey(tab)] = meta;
        try {
          await storage.set(writes);
        } catch (e) {
          // Positions announced past the stored journal are void: start again from it.
          totals.delete(tab);
          onFailed(tab, e);
          throw e;
        }
        metas.set(tab, { ...meta });
        tails.set(tab, { n: last, records: current });
        if (removed.length) await storage.remove(removed);
        onWritten(tab, batch, removed.length > 0);
      }
    } finally {
      writing.delete(tab);
    }
  }

  /** Resolves when every record appended so far for `tab` is written. */
  async function idle(tab) {
    while (writing.has(tab)) await writing.get(tab).catch(() => {});
  }

  async function clear(tab) {
    await idle(tab);
    pending.delete(tab);
    metas.delete(tab);
    tails.delete(tab);
    totals.delete(tab);
    const meta = await readMeta(tab);
    const keys = [metaKey(tab)];
    for (let n = meta.first; n < meta.next; n++) keys.push(chunkKey(tab, n));
    await storage.remove(keys);
  }

  return { append, read, readWithTotal, readMeta, idle, clear, busy: (tab) => writing.has(tab) || (pending.get(tab) || []).length > 0 };
}
