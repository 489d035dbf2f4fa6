// Firefox side of the platform layer (copied to platform.js in dist/firefox).
// Firefox shows the panel as a sidebar (sidebar_action); it opens itself.
export const platform = {
  name: 'firefox',
  init() {},
  async setBadge(tabId, text) {
    try {
      await browser.action.setBadgeText({ tabId, text });
      if (text) await browser.action.setBadgeBackgroundColor({ tabId, color: '#b3261e' });
    } catch (_) {
      /* the tab is gone */
    }
  },
};
