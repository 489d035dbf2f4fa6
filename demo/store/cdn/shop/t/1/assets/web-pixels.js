// Stand-in for Shopify's Web Pixels Manager: runs the store's custom pixel in a
// sandboxed iframe and app pixels (the Facebook & Instagram app, an upsell app)
// in Web Workers, the two places Shopify runs them, on every page. Where the
// store has a cookie banner, pixels that need marketing consent start only
// once Shopify's Customer Privacy API allows marketing.
(function () {
  var D = window.DEMO;
  var page = document.body.getAttribute('data-page');
  var o = D.order;
  var contents = function (n) { return [{ id: 'tee-blue-m', quantity: n }]; };
  var base = { pixelId: D.pixelId, email: null, page: location.href, referrer: document.referrer, agent: 'plshopify1.2' };
  var start = function () {
    var fni = D.senders.fni ? new Worker('/wpm@d3m0/app/web-pixel-202@3/sandbox/worker.modern.js') : null;
    // Resolves once the worker has handed its request to the browser.
    var send = function (w, msg) {
      return new Promise(function (done) {
        w.addEventListener('message', function sent() { w.removeEventListener('message', sent); done(); });
        w.postMessage(Object.assign({}, base, msg));
      });
    };
    if (fni && D.sends('fni', 'pv')) send(fni, { event: 'PageView', eid: D.eid('pv', 'fni'), cd: {} });
    if (fni && page === 'product' && D.sends('fni', 'vc')) {
      send(fni, { event: 'ViewContent', eid: D.eid('vc', 'fni'), cd: { content_ids: JSON.stringify(['tee-blue-m']), content_type: 'product', value: D.price.toFixed(2), currency: D.currency } });
    }
    window.__demoPublish = function (name, data) {
      if (name === 'product_added_to_cart' && fni && D.sends('fni', 'atc')) {
        return send(fni, { event: 'AddToCart', eid: D.eid('atc', 'fni'), cd: { contents: JSON.stringify(contents(data.quantity)), content_type: 'product', value: data.value.toFixed(2), currency: D.currency } });
      }
      return Promise.resolve();
    };
    if (page === 'checkout') {
      if (fni && D.sends('fni', 'ic')) {
        send(fni, { event: 'InitiateCheckout', eid: D.eid('ic', 'fni'), cd: { contents: JSON.stringify(contents(o.items)), content_type: 'product', value: o.subtotal.toFixed(2), currency: o.currency, num_items: String(o.items) } });
      }
      if (D.sends('custom', 'ic')) {
        var q = new URLSearchParams({ pixel: D.pixelId, ev: 'InitiateCheckout', eid: D.eid('ic'), value: o.subtotal.toFixed(2), currency: o.currency, num_items: String(o.items), page: location.href });
        var f = document.createElement('iframe');
        f.setAttribute('sandbox', 'allow-scripts');
        f.setAttribute('title', 'Shopify custom pixel sandbox');
        f.style.display = 'none';
        f.src = '/wpm@d3m0/custom/web-pixel-101@1/sandbox/modern/checkout?' + q.toString();
        document.body.appendChild(f);
      }
    }
    if (page === 'thank_you' && fni && D.sends('fni', 'purchase')) {
      var messy = D.scenario === 'messy';
      var cd = {
        // Messy: the app was set up to send the subtotal, and without an event id.
        value: (messy ? o.subtotal : o.total).toFixed(2), currency: D.mixedPurchase ? D.shopCurrency : o.currency, order_id: String(o.number),
        contents: JSON.stringify(contents(o.items)), content_type: 'product', num_items: String(o.items),
      };
      send(fni, { event: 'Purchase', eid: messy ? null : D.eid('purchase'), cd: cd, email: D.customer.email });
    }
    if (page === 'thank_you' && D.upsell) {
      var u = D.upsell;
      var offer = document.getElementById('offer');
      offer.hidden = false;
      document.getElementById('offer-text').textContent = 'Add ' + u.title + ' for ' + u.price.toFixed(2) + ' ' + D.currency + '?';
      document.getElementById('accept-offer').addEventListener('click', function () {
        var app = new Worker('/wpm@d3m0/app/web-pixel-303@1/sandbox/worker.modern.js');
        var item = [{ id: u.id, quantity: u.quantity, item_price: u.price }];
        var whole = u.mode === 'whole_order';
        // The app hands the accepted offer to its Meta integration, the F&I
        // app's pixel: same agent, the upsell's own event id.
        send(app, {
          event: 'Purchase', eid: 'order-' + o.number + '-upsell-1', email: D.customer.email,
          cd: {
            value: (whole ? u.edited.total : u.price).toFixed(2), currency: D.currency, order_id: String(o.number),
            contents: JSON.stringify(whole ? contents(o.items).concat(item) : item), content_type: 'product', num_items: String(whole ? u.edited.items : u.quantity),
          },
        });
        offer.textContent = 'Added to your order.';
      });
    }
  };
  var cp = window.Shopify && window.Shopify.customerPrivacy;
  if (!cp || cp.marketingAllowed()) return start();
  // Held back until the visitor allows marketing; declined, they never run.
  document.addEventListener('visitorConsentCollected', function (e) { if (e.detail && e.detail.marketingAllowed) start(); });
})();
