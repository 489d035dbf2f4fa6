// @ts-check
// Firefox side of the platform layer (copied to platform.js in dist/firefox).
// Firefox shows the panel as a sidebar (sidebar_action); it opens itself.
/** @type {import('../../types/platform').Platform} */
export const platform = {
  name: 'firefox',
  init() {},
  /**
   * Firefox's webRequest has no `initiator`. Its originUrl is the URL of the
   * document or worker that made the request; Chrome's initiator is that
   * document's origin, so the origin of originUrl is the same fact.
   * @param {import('../../types/platform').RequestDetails} details
   */
  initiator(details) {
    try {
      return details.originUrl ? new URL(details.originUrl).origin : null;
    } catch (_) {
      return null;
    }
  },
  /**
   * @param {number} tabId
   * @param {string} text
   */
  async setBadge(tabId, text) {
    try {
      await browser.action.setBadgeText({ tabId, text });
      if (text) await browser.action.setBadgeBackgroundColor({ tabId, color: '#b3261e' });
    } catch (_) {
      /* the tab is gone */
    }
  },
  /**
   * Whether a webRequest event comes from a document that is being unloaded.
   * Firefox reports no document lifecycle; it names the sending document
   * (`documentUrl`), so a request of the top frame whose document is not the
   * tab's current page is one of the page being left (the caller compares the
   * initiator with the tab's last watched page).
   */
  /** @param {import('../../types/platform').RequestDetails} details */
  leavingDocument(details) {
    return details.frameId === 0 && typeof details.documentUrl === 'string' && details.type !== 'main_frame';
  },
  /**
   * Whether a runtime message comes from a document that is being unloaded.
   * Firefox keeps a document's frame id as it unloads and reports no
   * lifecycle: the top frame's records are placed by its frame id 0.
   */
  /** @param {chrome.runtime.MessageSender} _sender */
  senderLeaving(_sender) {
    return false;
  },
};
