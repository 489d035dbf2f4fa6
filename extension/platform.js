// Everything that differs between Chrome and Firefox lives here (the pattern
// of uBlock Origin's platform/ folder), so the rest of the code has no
// browser checks.
const isFirefox = typeof browser !== 'undefined' && typeof chrome.sidePanel === 'undefined';

export const platform = {
  isFirefox,
  init() {
    // Chrome: the toolbar button opens the side panel. Firefox opens its sidebar itself.
    if (!isFirefox && chrome.sidePanel && chrome.sidePanel.setPanelBehavior) {
      chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
    }
  },
  async setBadge(tabId, text) {
    try {
      await chrome.action.setBadgeText({ tabId, text });
      if (text) await chrome.action.setBadgeBackgroundColor({ tabId, color: '#b3261e' });
    } catch (_) {
      /* the tab is gone */
    }
  },
};
