// The theme's own tracking code (a "theme" sender).
(function () {
  var product = { content_ids: ['tee-blue-m'], content_type: 'product', value: 30.0, currency: 'USD' };
  fbq('track', 'ViewContent', product, { eventID: 'vc-tee-1' });
  document.getElementById('add').addEventListener('click', function () {
    fbq('track', 'AddToCart', { content_ids: ['tee-blue-m'], content_type: 'product', value: 30.0, currency: 'USD', content_name: 'Classic Tee' }, { eventID: 'atc-tee-1', transport: 'beacon' });
  });
  document.getElementById('checkout').addEventListener('click', function () {
    fbq('track', 'InitiateCheckout', { contents: [{ id: 'tee-blue-m', quantity: 1 }], value: 30.0, currency: 'USD', num_items: 1 }, { eventID: 'ic-tee-1', transport: 'form' });
  });
})();
