// @ts-check
// Chrome side of the platform layer (the build copies this file to platform.js
// in dist/chrome*). Everything that differs between browsers lives in
// extension/platform/, as in uBlock Origin's platform/ folder.
/** @type {import('../../types/platform').Platform} */
export const platform = {
  name: 'chrome',
  /** The origin of the document that made a webRequest request, or null. */
  initiator: (details) => details.initiator || null,
  init() {
    // The toolbar button opens the side panel.
    chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
  },
  /**
   * @param {number} tabId
   * @param {string} text
   */
  async setBadge(tabId, text) {
    try {
      await chrome.action.setBadgeText({ tabId, text });
      if (text) await chrome.action.setBadgeBackgroundColor({ tabId, color: '#b3261e' });
    } catch (_) {
      /* the tab is gone */
    }
  },
  /**
   * Whether a webRequest event comes from a document that is being unloaded
   * (Chrome 106+ reports its lifecycle), such as a beacon sent at pagehide
   * after the tab has already committed the next page.
   */
  /** @param {import('../../types/platform').RequestDetails} details */
  leavingDocument(details) {
    return details.documentLifecycle === 'pending_deletion';
  },
  /**
   * Whether a runtime message comes from a document that is being unloaded
   * (Chrome 106+ reports its lifecycle; such a document has a frame id of its
   * own, not 0, even when it was the top frame).
   */
  /** @param {chrome.runtime.MessageSender} sender */
  senderLeaving(sender) {
    return /** @type {any} */ (sender).documentLifecycle === 'pending_deletion';
  },
};
