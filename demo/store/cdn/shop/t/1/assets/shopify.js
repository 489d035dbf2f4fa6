// What a Shopify storefront exposes to scripts (the parts PixelProof reads):
// Shopify.shop and the shopper's currency, the order status page's checkout
// object, and — on stores with a cookie banner — Shopify's Customer Privacy
// API (https://shopify.dev/docs/api/customer-privacy): currentVisitorConsent()
// answers per purpose "yes", "no" or "" (no decision yet), marketingAllowed()
// and analyticsProcessingAllowed() booleans, and a decision is announced with
// the `visitorConsentCollected` document event (detail: marketingAllowed,
// analyticsAllowed, preferencesAllowed, saleOfDataAllowed,
// firstPartyMarketingAllowed, thirdPartyMarketingAllowed).
(function () {
  var D = window.DEMO;
  var page = document.body ? document.body.getAttribute('data-page') : null;
  window.Shopify = { shop: D.shop, currency: { active: D.currency, rate: String(D.rate) } };
  window.ShopifyAnalytics = { meta: { page: { pageType: page || document.documentElement.getAttribute('data-page') } } };
  if (D.consent) {
    // The visitor's decision, per scenario, as Shopify keeps it in a cookie.
    var KEY = 'demo_consent_' + D.scenario;
    var decided = function () { try { return localStorage.getItem(KEY); } catch (e) { return null; } };
    window.Shopify.customerPrivacy = {
      currentVisitorConsent: function () {
        var d = decided();
        var m = d === 'accept' ? 'yes' : d === 'decline' ? 'no' : '';
        return { marketing: m, analytics: d ? 'yes' : '', preferences: m, sale_of_data: m };
      },
      marketingAllowed: function () { return decided() === 'accept'; },
      analyticsProcessingAllowed: function () { return decided() !== null; },
      shouldShowBanner: function () { return decided() === null; },
      setTrackingConsent: function (c, cb) {
        try { localStorage.setItem(KEY, c.marketing ? 'accept' : 'decline'); } catch (e) { /* private mode */ }
        document.dispatchEvent(new CustomEvent('visitorConsentCollected', { detail: {
          analyticsAllowed: true, marketingAllowed: Boolean(c.marketing), preferencesAllowed: Boolean(c.preferences),
          saleOfDataAllowed: Boolean(c.sale_of_data), firstPartyMarketingAllowed: Boolean(c.marketing), thirdPartyMarketingAllowed: Boolean(c.marketing),
        } }));
        if (cb) cb();
      },
    };
  }
  document.addEventListener('DOMContentLoaded', function () {
    var p = document.body.getAttribute('data-page');
    window.ShopifyAnalytics.meta.page.pageType = p;
    var b = document.getElementById('scenario');
    if (b) b.textContent = 'Demo scenario: ' + D.scenario + ' — ' + D.description;
    var cp = window.Shopify.customerPrivacy;
    if (cp && cp.shouldShowBanner() && p !== 'checkout' && p !== 'thank_you') {
      var banner = document.createElement('div');
      banner.className = 'banner';
      banner.id = 'cookie-banner';
      banner.innerHTML = 'We use cookies for marketing. <button id="consent-accept">Accept</button> <button id="consent-decline">Decline</button>';
      document.body.insertBefore(banner, document.body.firstChild);
      var choose = function (yes) {
        cp.setTrackingConsent({ marketing: yes, analytics: true, preferences: yes, sale_of_data: yes }, function () { banner.remove(); });
      };
      document.getElementById('consent-accept').addEventListener('click', function () { choose(true); });
      document.getElementById('consent-decline').addEventListener('click', function () { choose(false); });
    }
    if (p === 'thank_you') {
      var o = D.order;
      window.Shopify.checkout = {
        order_id: o.number, total_price: o.total.toFixed(2), subtotal_price: o.subtotal.toFixed(2),
        total_tax: o.tax.toFixed(2), shipping_rate: { price: o.shipping.toFixed(2) }, total_discounts: o.discount.toFixed(2),
        currency: o.currency, line_items: [{ title: 'Classic Tee', quantity: o.items, price: D.price.toFixed(2) }],
      };
    }
  });
})();
