// Stand-in for Shopify's Web Pixels Manager: runs the store's custom pixel in a
// sandboxed iframe and an app pixel (the Facebook & Instagram app) in a Web
// Worker, the two places Shopify runs them.
(function () {
  var D = window.DEMO;
  var page = document.body.getAttribute('data-page');
  var o = D.order;
  if (page === 'checkout') {
    var q = new URLSearchParams({ pixel: D.pixelId, ev: 'InitiateCheckout', eid: D.eid('ic'), value: o.subtotal.toFixed(2), currency: o.currency, num_items: String(o.items), page: location.href });
    var f = document.createElement('iframe');
    f.setAttribute('sandbox', 'allow-scripts');
    f.setAttribute('title', 'Shopify custom pixel sandbox');
    f.style.display = 'none';
    f.src = '/wpm@d3m0/custom/web-pixel-101@1/sandbox/modern/checkout?' + q.toString();
    document.body.appendChild(f);
  }
  if (page === 'thank_you') {
    var w = new Worker('/wpm@d3m0/app/web-pixel-202@3/sandbox/worker.modern.js');
    w.postMessage({ scenario: D.scenario, pixelId: D.pixelId, order: o, email: D.customer.email, page: location.href, referrer: document.referrer });
  }
})();
