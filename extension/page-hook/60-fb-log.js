// @ts-check
// Page hook: fbevents reports problems with postMessage({..., type/name: 'FB_LOG'}).

const watchFbLog = () => {
  window.addEventListener('message', (e) => {
    try {
      // Only what this window posted to itself, as fbevents does: any frame
      // (another origin's too) can post to this window.
      if (e.source !== window) return;
      const d = e.data;
      if (!d || typeof d !== 'object') return;
      const tag = d.type || d.name || d.event;
      if (tag !== 'FB_LOG') return;
      const level = String(d.logType || d.level || d.severity || 'info');
      const message = typeof d.logMessage === 'string' ? d.logMessage : stringify(safe(d.message || d.data || d));
      emit({ kind: 'fb_log', level, message: message.slice(0, 2000) });
    } catch (_) { /* ignore */ }
  }, { passive: true });
};
