// Firefox side of the platform layer (copied to platform.js in dist/firefox).
// Firefox shows the panel as a sidebar (sidebar_action); it opens itself.
export const platform = {
  name: 'firefox',
  init() {},
  // Firefox's webRequest has no `initiator`. Its originUrl is the URL of the
  // document or worker that made the request; Chrome's initiator is that
  // document's origin, so the origin of originUrl is the same fact.
  initiator(details) {
    try {
      return details.originUrl ? new URL(details.originUrl).origin : null;
    } catch (_) {
      return null;
    }
  },
  async setBadge(tabId, text) {
    try {
      await browser.action.setBadgeText({ tabId, text });
      if (text) await browser.action.setBadgeBackgroundColor({ tabId, color: '#b3261e' });
    } catch (_) {
      /* the tab is gone */
    }
  },
};
