// @ts-check
// Page hook: the visitor's consent as the store's Shopify Customer Privacy API
// states it (https://shopify.dev/docs/api/customer-privacy): loaded by the
// storefront as window.Shopify.customerPrivacy, with currentVisitorConsent()
// (per purpose "yes", "no" or "" for no decision yet), marketingAllowed() and
// analyticsProcessingAllowed(); the `visitorConsentCollected` document event
// carries the visitor's new decision in `detail` (marketingAllowed,
// analyticsAllowed, …). Shopify runs pixels that need marketing consent only
// when it is given, so it explains missing events. Only read, never set; a
// state is sent when it differs from the last one this document sent.

let lastConsent = '';
/** @param {unknown} v */
const bool = (v) => (typeof v === 'boolean' ? v : null);
/** @param {unknown} v */
const purpose = (v) => (typeof v === 'string' ? v.slice(0, 20) : null);
/**
 * @param {string} trigger
 * @param {{ marketing_allowed: boolean | null, analytics_allowed: boolean | null, visitor_consent?: object | null }} state
 */
const sendConsent = (trigger, state) => {
  const key = stringify(state);
  if (key === lastConsent) return;
  lastConsent = key;
  emit({ kind: 'consent', trigger, ...state });
};
const readConsent = () => {
  try {
    const S = window.Shopify;
    const cp = S && typeof S === 'object' ? S.customerPrivacy : null;
    if (!cp || typeof cp !== 'object') return;
    /** @param {string} name */
    const call = (name) => {
      try {
        return typeof cp[name] === 'function' ? cp[name]() : undefined;
      } catch (_) {
        return undefined;
      }
    };
    const v = call('currentVisitorConsent');
    sendConsent('api', {
      visitor_consent: v && typeof v === 'object'
        ? { marketing: purpose(v.marketing), analytics: purpose(v.analytics), preferences: purpose(v.preferences), sale_of_data: purpose(v.sale_of_data) }
        : null,
      marketing_allowed: bool(call('marketingAllowed')),
      analytics_allowed: bool(call('analyticsProcessingAllowed')),
    });
  } catch (_) { /* never throw into the page */ }
};
const watchConsent = () => {
  document.addEventListener('visitorConsentCollected', (e) => {
    try {
      const d = /** @type {any} */ (e).detail;
      if (!d || typeof d !== 'object') return;
      sendConsent('visitor_consent_collected', {
        marketing_allowed: bool(d.marketingAllowed),
        analytics_allowed: bool(d.analyticsAllowed),
      });
    } catch (_) { /* never throw into the page */ }
  }, { passive: true });
  // Storefronts load the API on demand (Shopify.loadFeatures); Hydrogen
  // announces it with this event.
  document.addEventListener('shopifyCustomerPrivacyApiLoaded', readConsent, { passive: true });
};
