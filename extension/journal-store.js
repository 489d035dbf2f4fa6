// The per-tab journal in extension storage: append-only, chunked, held to a
// budget in bytes.
//
// Records are written in chunks of `chunk` under `chunk:<tab>:<n>`, with a
// `meta:<tab>` entry (first/next chunk, count, bytes kept, what was dropped).
// Appends are write-behind: a record is written as soon as the previous write
// for its tab finished, batched with whatever arrived meanwhile.
// `storage` has the shape of chrome.storage.local (get/set/remove, promises).
//
// Budgets (bytes of each record's JSON):
//   * page-reported records (`origin: "page"`, which the page can forge) have a
//     budget of their own and a size cap per record; past either, they are
//     refused, so a flood from the page can neither push out network hits nor
//     fill the disk;
//   * everything else (network hits, navigations, trusted gestures, the user's
//     pastes) shares the journal budget; past it the oldest chunks go.
// Nothing goes silently: refused records become a `dropped` record in the
// journal at the point they were refused (how many, of which kind, why), and
// evicted chunks a `dropped` record at the start of `read()`.
//
// `onAccepted(tab, records, start)` announces records with their positions
// (`start` counts everything ever appended, kept or evicted) as soon as they
// are appended, so a live view need not wait for the disk; `onWritten(tab,
// records, evictedSome, seqs)` runs once a batch is stored; `onFailed(tab,
// error)` when a write fails (that batch is not in the journal and announced
// positions are void). Chunks are small (100) because every append rewrites
// the newest chunk.
//
// `seq` (optional, `{w, n}`): the worker's inbox key of a record. The highest
// `n` per `w` stored for a tab is kept in its meta, in the same write as the
// records, so a restarted worker replaying its inbox skips what is stored.

export const DEFAULT_BUDGET = {
  // A 10,000-hit journey with its page records is about 5 MB.
  journal: 12 * 1024 * 1024,
  // Generous for fbq calls, inventories and FB_LOG messages of a long journey
  // (~2,000 records); a page cannot take more of the disk than this.
  page: 1024 * 1024,
};
export const DEFAULT_RECORD_MAX = {
  // A pixel request's URL and body: beacons are limited to 64 KB by browsers.
  journal: 128 * 1024,
  // The hook keeps its records under 12 KB and the relay refuses over 16 KB.
  page: 16 * 1024,
};

const isPage = (record) => record && record.origin === 'page';

export function createJournalStore({
  storage,
  budget = DEFAULT_BUDGET,
  recordMax = DEFAULT_RECORD_MAX,
  chunk = 100,
  onAccepted = () => {},
  onWritten = () => {},
  onFailed = () => {},
}) {
  const metaKey = (tab) => `meta:${tab}`;
  const chunkKey = (tab, n) => `chunk:${tab}:${n}`;
  const pending = new Map(); // tab → [{record, size, page, seq, checked}]
  const writing = new Map();
  // Write-through copies of each tab's meta and newest chunk: this store is the
  // only writer, so after the first read an append costs one storage write.
  const metas = new Map();
  const tails = new Map(); // tab → { n, records }
  // Page bytes accepted but not yet written, per tab: the budget counts them.
  const pageInFlight = new Map();
  // Refusals not yet turned into a `dropped` record: tab → {reason → {kind → n}}.
  const refusals = new Map();

  const fresh = () => ({ first: 0, next: 0, count: 0, evicted: 0, evictedKinds: {}, bytes: 0, pageBytes: 0, sizes: {}, committed: {} });

  async function readMeta(tab) {
    if (metas.has(tab)) return structuredClone(metas.get(tab));
    const got = (await storage.get(metaKey(tab)))[metaKey(tab)];
    if (!got) return fresh();
    // A journal written before budgets were kept in bytes: `dropped` counted evictions.
    return { ...fresh(), evicted: got.dropped || 0, ...got };
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
    if (meta.evicted > 0) {
      records.push({ kind: 'dropped', count: meta.evicted, kinds: meta.evictedKinds, reason: 'journal_budget', time: null });
    }
    for (const k of keys) for (const r of got[k] || []) records.push(r);
    return { records, total: meta.count + meta.evicted };
  }

  // Live announcements. Once a tab's meta is known, a record gets its position
  // the moment it is appended (records of one task go out together), so a live
  // view never waits behind a write in progress.
  const totals = new Map(); // tab → records ever appended (kept + evicted + in flight)
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

  const refuse = (tab, reason, kind) => {
    if (!refusals.has(tab)) refusals.set(tab, {});
    const byReason = refusals.get(tab);
    byReason[reason] = byReason[reason] || {};
    byReason[reason][kind] = (byReason[reason][kind] || 0) + 1;
  };

  /** Why a record cannot be kept, or null. Page records count against the page budget. */
  function refusal(tab, item, meta) {
    if (item.page) {
      if (item.size > recordMax.page) return 'oversized';
      const used = meta.pageBytes + (pageInFlight.get(tab) || 0);
      if (used + item.size > budget.page) return 'page_budget';
    } else if (item.size > recordMax.journal) {
      return 'oversized';
    }
    return null;
  }

  /** Counts `n` refusals of `kind` reported by someone else (the relay's own caps). */
  function refused(tab, reason, kind, n) {
    for (let i = 0; i < n; i++) refuse(tab, reason, kind);
    start(tab);
  }

  function accept(tab, item) {
    if (item.page) pageInFlight.set(tab, (pageInFlight.get(tab) || 0) + item.size);
    if (!pending.has(tab)) pending.set(tab, []);
    pending.get(tab).push(item);
    if (totals.has(tab)) announce(tab, [item.record]);
  }

  function start(tab) {
    if (!writing.has(tab)) writing.set(tab, flush(tab));
    return writing.get(tab);
  }

  function append(tab, record, seq = null) {
    const item = { record, size: JSON.stringify(record).length, page: isPage(record), seq, checked: false };
    const meta = metas.get(tab);
    if (meta) {
      // The meta is known: decide now, so a refused record is never announced.
      item.checked = true;
      const why = refusal(tab, item, meta);
      if (why) refuse(tab, why, String(record.kind));
      else accept(tab, item);
    } else {
      // First append since the worker started: decided in flush, once the meta is read.
      if (!pending.has(tab)) pending.set(tab, []);
      pending.get(tab).push(item);
    }
    return start(tab);
  }

  // Turns the refusals counted so far into one `dropped` record per reason, in
  // the journal where they happened.
  function materialiseRefusals(tab) {
    const byReason = refusals.get(tab);
    if (!byReason) return;
    refusals.delete(tab);
    for (const [reason, kinds] of Object.entries(byReason)) {
      const count = Object.values(kinds).reduce((a, b) => a + b, 0);
      const record = { kind: 'dropped', count, kinds, reason, time: Date.now() };
      accept(tab, { record, size: JSON.stringify(record).length, page: false, seq: null, checked: true });
    }
  }

  async function flush(tab) {
    try {
      while ((pending.get(tab) || []).length || refusals.has(tab)) {
        const meta = await readMeta(tab);
        if (!totals.has(tab)) {
          // First write since the worker started: decide on what arrived so far,
          // then announce it, at positions after everything stored.
          totals.set(tab, meta.count + meta.evicted);
          const waiting = pending.get(tab) || [];
          pending.set(tab, []);
          metas.set(tab, structuredClone(meta));
          for (const item of waiting) {
            if (item.checked) { accept(tab, item); continue; }
            item.checked = true;
            const why = refusal(tab, item, meta);
            if (why) refuse(tab, why, String(item.record.kind));
            else accept(tab, item);
          }
        }
        materialiseRefusals(tab);
        const batch = pending.get(tab) || [];
        pending.set(tab, []);
        if (!batch.length) continue;
        let last = meta.next - 1;
        let current = [];
        if (last >= meta.first) {
          const tail = tails.get(tab);
          current = tail && tail.n === last ? tail.records.slice() : (await storage.get(chunkKey(tab, last)))[chunkKey(tab, last)] || [];
        }
        const writes = {};
        let pageAdded = 0;
        for (const item of batch) {
          if (last < meta.first || current.length >= chunk) {
            if (last >= meta.first) writes[chunkKey(tab, last)] = current;
            last += 1;
            current = [];
          }
          current.push(item.record);
          const size = meta.sizes[last] || [0, 0];
          size[0] += item.size;
          if (item.page) { size[1] += item.size; pageAdded += item.size; }
          meta.sizes[last] = size;
          meta.count += 1;
          meta.bytes += item.size;
          if (item.page) meta.pageBytes += item.size;
          if (item.seq) meta.committed[item.seq.w] = Math.max(meta.committed[item.seq.w] || 0, item.seq.n);
        }
        writes[chunkKey(tab, last)] = current;
        meta.next = last + 1;
        // Past the journal budget the oldest chunks go (never the newest).
        const removed = [];
        while (meta.bytes - meta.pageBytes > budget.journal && meta.first < last) {
          const k = chunkKey(tab, meta.first);
          const old = writes[k] || (await storage.get(k))[k] || [];
          for (const r of old) meta.evictedKinds[r.kind] = (meta.evictedKinds[r.kind] || 0) + 1;
          const [bytes, pageBytes] = meta.sizes[meta.first] || [0, 0];
          meta.count -= old.length;
          meta.evicted += old.length;
          meta.bytes -= bytes;
          meta.pageBytes -= pageBytes;
          delete meta.sizes[meta.first];
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
          metas.delete(tab);
          tails.delete(tab);
          pageInFlight.delete(tab);
          onFailed(tab, e);
          throw e;
        }
        pageInFlight.set(tab, Math.max(0, (pageInFlight.get(tab) || 0) - pageAdded));
        metas.set(tab, structuredClone(meta));
        tails.set(tab, { n: last, records: current });
        if (removed.length) await storage.remove(removed);
        onWritten(tab, batch.map((i) => i.record), removed.length > 0, batch.map((i) => i.seq).filter(Boolean));
      }
    } finally {
      writing.delete(tab);
    }
  }

  /** Resolves when every record appended so far for `tab` is written. */
  async function idle(tab) {
    while (writing.has(tab)) await writing.get(tab).catch(() => {});
  }

  /** The highest inbox number of worker `w` stored in `tab`'s journal (0 when none). */
  async function committed(tab, w) {
    const meta = await readMeta(tab);
    return meta.committed[w] || 0;
  }

  async function clear(tab) {
    await idle(tab);
    pending.delete(tab);
    refusals.delete(tab);
    pageInFlight.delete(tab);
    const meta = await readMeta(tab);
    metas.delete(tab);
    tails.delete(tab);
    totals.delete(tab);
    const keys = [metaKey(tab)];
    for (let n = meta.first; n < meta.next; n++) keys.push(chunkKey(tab, n));
    await storage.remove(keys);
  }

  /** Forgets every cached meta and chunk (after storage was cleared underneath). */
  function reset() {
    for (const m of [pending, metas, tails, totals, pageInFlight, refusals]) m.clear();
  }

  return {
    append,
    refused,
    read,
    readWithTotal,
    readMeta,
    committed,
    idle,
    clear,
    reset,
    busy: (tab) => writing.has(tab) || (pending.get(tab) || []).length > 0,
  };
}
