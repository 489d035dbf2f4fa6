// The per-tab journal in extension storage: append-only, chunked, capped.
//
// Records are written in chunks of `chunk` under `chunk:<tab>:<n>`, with a
// `meta:<tab>` entry (first/next chunk, count, dropped). Appends are
// write-behind: a record is written as soon as the previous write for its tab
// finished, batched with whatever arrived meanwhile, so nothing stays only in
// memory longer than one storage write. Past `cap` records the oldest chunks
// go, and `read()` starts with a `dropped` record saying how many: never silent.
// `storage` has the shape of chrome.storage.local (get/set/remove, promises).
export function createJournalStore({ storage, cap = 20000, chunk = 500, onWritten = () => {} }) {
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

  function append(tab, record) {
    if (!pending.has(tab)) pending.set(tab, []);
    pending.get(tab).push(record);
    if (!writing.has(tab)) writing.set(tab, flush(tab));
    return writing.get(tab);
  }

  async function flush(tab) {
    try {
      while ((pending.get(tab) || []).length) {
        const batch = pending.get(tab);
        pending.set(tab, []);
        const meta = await readMeta(tab);
        // Position of the batch in everything ever appended (kept + dropped):
        // listeners use it to skip records they already have.
        const start = meta.count + meta.dropped;
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
        await storage.set(writes);
        metas.set(tab, { ...meta });
        tails.set(tab, { n: last, records: current });
        if (removed.length) await storage.remove(removed);
        onWritten(tab, batch, removed.length > 0, start);
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
    const meta = await readMeta(tab);
    const keys = [metaKey(tab)];
    for (let n = meta.first; n < meta.next; n++) keys.push(chunkKey(tab, n));
    await storage.remove(keys);
  }

  return { append, read, readWithTotal, readMeta, idle, clear, busy: (tab) => writing.has(tab) || (pending.get(tab) || []).length > 0 };
}
