// Order status page: shows the order figures; in the messy scenario it also
// carries a hand-written Purchase tag pasted into "additional scripts" that
// builds the pixel request itself (formatted price, lower-case currency,
// plain e-mail).
(function () {
  var o = window.DEMO.order;
  var money = function (v) { return '$' + v.toFixed(2); };
  document.getElementById('order-number').textContent = '#' + o.number;
  document.getElementById('f-items').textContent = String(o.items);
  document.getElementById('f-subtotal').textContent = money(o.subtotal);
  document.getElementById('f-shipping').textContent = money(o.shipping);
  document.getElementById('f-tax').textContent = money(o.tax);
  document.getElementById('f-discount').textContent = money(o.discount);
  document.getElementById('f-total').textContent = money(o.total) + ' ' + o.currency;
  if (window.DEMO.scenario !== 'messy') return;
  var p = [
    ['id', window.DEMO.pixelId], ['ev', 'Purchase'], ['dl', location.href], ['rl', document.referrer], ['if', 'false'],
    ['ts', String(Date.now())], ['cd[value]', '$1,234.50'], ['cd[currency]', 'usd'], ['cd[order_id]', String(o.number)],
    ['cd[contents]', JSON.stringify([{ id: 'tee-blue-m', quantity: o.items }])], ['cd[num_items]', String(o.items)],
    ['ud[em]', window.DEMO.customer.email], ['eid', 'order-' + o.number], ['v', '2.9.179'], ['r', 'stable'], ['ec', '0'], ['rqm', 'GET'],
  ];
  new Image().src = 'https://www.facebook.com/tr/?' + p.map(function (kv) { return encodeURIComponent(kv[0]) + '=' + encodeURIComponent(kv[1]); }).join('&');
})();
