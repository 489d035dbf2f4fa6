// The store's Meta Pixel base code, as a theme installs it (loader pattern
// written for this demo), when the scenario's theme carries one. The messy
// scenario also carries a second, older copy pasted by a former agency: it
// skips the "already loaded" guard and pins another fbevents build, so the
// page ends up with two libraries.
(function () {
  var D = window.DEMO;
  if (!D.senders.theme) return;
  !function (w, d, src) {
    if (w.fbq) return;
    var n = (w.fbq = function () { n.callMethod ? n.callMethod.apply(n, arguments) : n.queue.push(arguments); });
    if (!w._fbq) w._fbq = n;
    n.push = n; n.loaded = true; n.version = '2.0'; n.queue = [];
    var t = d.createElement('script'); t.async = true; t.src = src;
    var s = d.getElementsByTagName('script')[0]; s.parentNode.insertBefore(t, s);
  }(window, document, 'https://connect.facebook.net/en_US/fbevents.js');
  fbq('init', D.pixelId, { em: D.customer.email });
  if (D.sends('theme', 'pv')) fbq('track', 'PageView', {}, { eventID: D.eid('pv') });

  if (D.scenario === 'messy') {
    !function (w, d, src) {
      var n = (w.fbq = function () { n.callMethod ? n.callMethod.apply(n, arguments) : n.queue.push(arguments); });
      w._fbq = w._fbq || n;
      n.push = n; n.loaded = true; n.version = '2.0'; n.queue = [];
      var t = d.createElement('script'); t.async = true; t.src = src;
      var s = d.getElementsByTagName('script')[0]; s.parentNode.insertBefore(t, s);
    }(window, document, 'https://connect.facebook.net/en_US/fbevents.js?v=2.9.100');
    fbq('init', D.pixelId);
    fbq('track', 'PageView');
  }
})();
