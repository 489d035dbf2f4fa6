// The theme's own tracking code (the "theme" sender), and the add-to-cart
// button every scenario has: Shopify's own scripts then tell the web pixels
// (product_added_to_cart).
(function () {
  var D = window.DEMO;
  var page = document.body.getAttribute('data-page');
  if (page === 'product') {
    if (D.sends('theme', 'vc')) {
      fbq('track', 'ViewContent', { content_ids: ['tee-blue-m'], content_type: 'product', content_name: 'Classic Tee', value: D.price, currency: D.currency }, { eventID: D.eid('vc') });
    }
    document.getElementById('add-to-cart').addEventListener('click', function () {
      var qty = Number(document.getElementById('qty').value) || 1;
      var value = Math.round(D.price * qty * 100) / 100;
      if (D.sends('theme', 'atc')) {
        fbq('track', 'AddToCart', { content_ids: ['tee-blue-m'], contents: [{ id: 'tee-blue-m', quantity: qty }], content_type: 'product', value: value, currency: D.currency }, { eventID: D.eid('atc'), transport: 'beacon' });
      }
      // The cart page opens once Shopify's pixels have the event (at most 2 s on).
      var published = window.__demoPublish ? window.__demoPublish('product_added_to_cart', { quantity: qty, value: value }) : Promise.resolve();
      var wait = new Promise(function (done) { setTimeout(done, 2000); });
      Promise.all([Promise.race([published, wait]), new Promise(function (done) { setTimeout(done, 300); })]).then(function () { location.href = '/cart'; });
    });
  }
  if (page === 'cart' && D.scenario === 'messy') {
    // A cart-drawer script that "re-confirms" the add on every cart render: fires on load, no click, no eid.
    fbq('track', 'AddToCart', { content_ids: ['tee-blue-m'], value: 60.0, currency: 'USD' });
  }
})();
