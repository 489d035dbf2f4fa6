// The theme's own tracking code: the "theme" sender.
(function () {
  var D = window.DEMO;
  var page = document.body.getAttribute('data-page');
  if (page === 'product') {
    fbq('track', 'ViewContent', { content_ids: ['tee-blue-m'], content_type: 'product', content_name: 'Classic Tee', value: 30.0, currency: 'USD' }, { eventID: D.eid('vc') });
    document.getElementById('add-to-cart').addEventListener('click', function () {
      var qty = Number(document.getElementById('qty').value) || 1;
      fbq('track', 'AddToCart', { content_ids: ['tee-blue-m'], contents: [{ id: 'tee-blue-m', quantity: qty }], content_type: 'product', value: 30.0 * qty, currency: 'USD' }, { eventID: D.eid('atc'), transport: 'beacon' });
      setTimeout(function () { location.href = '/cart'; }, 300);
    });
  }
  if (page === 'cart' && D.scenario === 'messy') {
    // A cart-drawer script that "re-confirms" the add on every cart render: fires on load, no click, no eid.
    fbq('track', 'AddToCart', { content_ids: ['tee-blue-m'], value: 60.0, currency: 'USD' });
  }
})();
