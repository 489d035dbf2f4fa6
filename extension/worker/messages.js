// @ts-check
// Runtime messages: page evidence from the relay (content scripts, for their
// own tab only) and control messages from the extension's own pages (the
// panel). Test builds add their test doors here (doors.js); store builds carry
// none, and answer those messages as unknown.
import { MSG, USER_KINDS } from '../wasm/contract.js';
import { evidenceProblem } from '../wasm/pixelproof_wasm.js';
import { platform } from '../platform.js';
import { deleteRecent, LIMITS, readRecent, readRegistered } from '../storage.js';
import { clearBadge, scheduleBadge } from './badge.js';
import { fromContentScript, fromExtensionPage, ready, storageReady } from './boot.js';
import { doors } from './doors.js';
import { enqueue } from './inbox.js';
import { journal, redacted } from './journal.js';
import { forgetReview, readReview, setReview } from './reviews.js';
import { forgetSession } from './sessions.js';
import { forgetTabState } from './tab-state.js';
import { onPermissionsChanged, watchedOrigins } from './watch.js';

/**
 * @param {any} msg what the sender sent: checked here, never trusted
 * @param {chrome.runtime.MessageSender} sender
 */
export async function handle(msg, sender) {
  const type = msg && msg.type;
  const door = doors && doors.answer(msg, sender, control);
  if (door) return door;
  if (type === MSG.pageRecords) {
    if (!fromContentScript(sender)) return { error: 'refused: page records come from the relay of a tab' };
    enqueue({ t: 'page', sender: { tabId: sender.tab.id, frameId: sender.frameId, url: sender.url || null, leaving: platform.senderLeaving(sender) }, msg: { records: msg.records, observed: msg.observed, refused: msg.refused, hook_caps: msg.hook_caps, doc: msg.doc } });
    return { ok: true };
  }
  if (!fromExtensionPage(sender)) return { error: `refused: "${String(type).slice(0, 40)}" is answered for the extension's own pages only` };
  return control(msg);
}

/** @param {any} msg a control message from the extension's own pages */
async function control(msg) {
  const tabId = Number(msg.tabId);
  switch (msg.type) {
    case MSG.getJournal: {
      await ready;
      const { records, total } = await journal.readWithTotal(tabId);
      return { records, total, review: await readReview(tabId) };
    }
    case MSG.getJournalTotal: {
      // The panel reads the journal from storage itself (one JSON text, no
      // copy through this worker); first it asks for this: everything appended
      // so far, written. Records appended later reach it as live batches.
      await storageReady;
      await journal.idle(tabId);
      const { total } = await journal.readMeta(tabId).then((m) => ({ total: m.count + m.evicted }));
      return { total };
    }
    case MSG.setReview:
      // After the start's storage check: on a browser's first start it clears
      // what a previous session left, and must not clear this.
      await storageReady;
      await setReview(tabId, msg.review || {});
      scheduleBadge(tabId);
      return { ok: true };
    case MSG.addEvidence: {
      // Pasted server payloads / order JSON become journal records; the core
      // reports a bad paste as an input error and keeps everything else.
      if (!USER_KINDS.includes(msg.kind)) return { error: 'unknown evidence kind' };
      await ready;
      const label = String(msg.label || 'pasted').slice(0, 200);
      const text = String(msg.text || '');
      // Only what reads is stored: a paste that does not could hold anything,
      // in the clear, and the panel shows the message instead.
      // An order may name which order of an Orders export CSV it is.
      const orderName = msg.kind === 'order' && msg.orderName ? String(msg.orderName).slice(0, 200) : undefined;
      // A server payload may name the pixel it was sent to.
      const pixelId = msg.kind === 'server_payload' && msg.pixelId ? String(msg.pixelId).trim().slice(0, 200) : undefined;
      const problem = evidenceProblem(msg.kind, label, text, orderName, pixelId);
      if (problem) return { error: problem };
      const safe = redacted({
        kind: msg.kind, label, text, origin: 'user', ...(orderName ? { order_name: orderName } : {}), ...(pixelId ? { pixel_id: pixelId } : {}),
      });
      // A paste the core could not redact is refused, never stored as a note.
      if (safe.record.kind !== msg.kind) return { error: `${label}: not stored: its customer data could not be masked. Paste it again; if this repeats, report it.` };
      if (safe.text.length > LIMITS.pasteMax) {
        return { error: `${label}: not stored: ${kb(safe.text.length)} is over the ${kb(LIMITS.pasteMax)} a paste may take. Paste fewer events at a time.` };
      }
      // Answered once the record is written: the panel says "stored" only then.
      try {
        await journal.append(tabId, safe.record, null, { text: safe.text, confirm: true });
      } catch (e) {
        return { error: `${label}: not stored: ${e instanceof Error ? e.message : e}` };
      }
      return { ok: true, stored: safe.text.length };
    }
    case MSG.clear:
      await ready;
      await clearTab(tabId);
      return { ok: true };
    case MSG.watchChanged:
      await onPermissionsChanged();
      return { ok: true, watched: await watchedOrigins() };
    case MSG.recentJourneys:
      await storageReady;
      return { journeys: await readRecent() };
    case MSG.deleteJourney:
      await storageReady;
      return (await deleteRecent(String(msg.id))) ? { ok: true } : { error: 'no such kept journey' };
    case MSG.status:
      await ready;
      return { ok: true, watched: await watchedOrigins(), registered: await readRegistered() };
    default:
      return { error: 'unknown message' };
  }
}

/** Everything the extension keeps of a tab goes. @param {number} tab */
export async function clearTab(tab) {
  await journal.clear(tab);
  forgetSession(tab);
  forgetTabState(tab);
  // The badge timer ends now, before anything else is awaited.
  const badge = clearBadge(tab);
  await forgetReview(tab);
  await badge;
}

/** @param {number} chars */
const kb = (chars) => `${(chars / 1024).toFixed(1)} KB`;
