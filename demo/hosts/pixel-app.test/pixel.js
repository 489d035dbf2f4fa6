// A pixel app's storefront script, installed as a ScriptTag: Shopify's loader
// (asyncLoad in content_for_header) inserts it on `load` as
// https://pixel-app.test/pixel.js?shop=<shop>.myshopify.com. It carries its
// own base code and tracks PageView, ViewContent on product pages and
// AddToCart on the add-to-cart button. Written for the demo.
(function () {
  var D = window.DEMO;
  !function (w, d, src) {
    if (w.fbq) return;
    var n = (w.fbq = function () { n.callMethod ? n.callMethod.apply(n, arguments) : n.queue.push(arguments); });
    if (!w._fbq) w._fbq = n;
    n.push = n; n.loaded = true; n.version = '2.0'; n.queue = [];
    var t = d.createElement('script'); t.async = true; t.src = src;
    var s = d.getElementsByTagName('script')[0]; s.parentNode.insertBefore(t, s);
  }(window, document, 'https://connect.facebook.net/en_US/fbevents.js');
  fbq('init', D.pixelId);
  if (D.sends('script_tag', 'pv')) fbq('track', 'PageView', {}, { eventID: D.eid('pv') });
  if (/^\/products\//.test(location.pathname) && D.sends('script_tag', 'vc')) {
    fbq('track', 'ViewContent', { content_ids: ['tee-blue-m'], content_type: 'product', value: D.price, currency: D.currency }, { eventID: D.eid('vc') });
  }
  var button = document.getElementById('add-to-cart');
  if (button && D.sends('script_tag', 'atc')) {
    button.addEventListener('click', function () {
      var qty = Number(document.getElementById('qty').value) || 1;
      fbq('track', 'AddToCart', { content_ids: ['tee-blue-m'], contents: [{ id: 'tee-blue-m', quantity: qty }], content_type: 'product', value: Math.round(D.price * qty * 100) / 100, currency: D.currency }, { eventID: D.eid('atc'), transport: 'beacon' });
    });
  }
})();
