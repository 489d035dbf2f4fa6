// Stand-in for a Google Tag Manager container (GTM-DEMO1) with a Meta pixel
// tag, as the community template sets it up: the base code unless fbq exists,
// fbq('set', 'agent', 'tmgoogletagmanager', id) so every hit of that pixel
// carries a=tmgoogletagmanager, init, PageView on every page, ViewContent on
// product pages and AddToCart on a click on the add-to-cart button (a click
// trigger). Written for the demo; no Google code.
(function () {
  var D = window.DEMO;
  window.dataLayer = window.dataLayer || [];
  window.dataLayer.push({ 'gtm.start': Date.now(), event: 'gtm.js' });
  !function (w, d, src) {
    if (w.fbq) return;
    var n = (w.fbq = function () { n.callMethod ? n.callMethod.apply(n, arguments) : n.queue.push(arguments); });
    if (!w._fbq) w._fbq = n;
    n.push = n; n.loaded = true; n.version = '2.0'; n.queue = [];
    var t = d.createElement('script'); t.async = true; t.src = src;
    var s = d.getElementsByTagName('script')[0]; s.parentNode.insertBefore(t, s);
  }(window, document, 'https://connect.facebook.net/en_US/fbevents.js');
  fbq('set', 'agent', 'tmgoogletagmanager', D.pixelId);
  fbq('init', D.pixelId);
  // With the theme tracking the same actions, the container's tag makes up its own ids.
  var own = Boolean(D.senders.theme);
  var eid = function (kind) { return D.eid(kind, own ? 'gtm-own' : 'gtm'); };
  if (D.sends('gtm', 'pv')) fbq('track', 'PageView', {}, { eventID: eid('pv') });
  if (/^\/products\//.test(location.pathname) && D.sends('gtm', 'vc')) {
    fbq('track', 'ViewContent', { content_ids: ['tee-blue-m'], content_type: 'product', value: D.price, currency: D.currency }, { eventID: eid('vc') });
  }
  document.addEventListener('click', function (e) {
    var t = e.target && e.target.closest ? e.target.closest('#add-to-cart') : null;
    if (!t || !D.sends('gtm', 'atc')) return;
    var qty = Number(document.getElementById('qty').value) || 1;
    fbq('track', 'AddToCart', { content_ids: ['tee-blue-m'], contents: [{ id: 'tee-blue-m', quantity: qty }], content_type: 'product', value: Math.round(D.price * qty * 100) / 100, currency: D.currency }, { eventID: eid('atc'), transport: 'beacon' });
  }, true);
})();
