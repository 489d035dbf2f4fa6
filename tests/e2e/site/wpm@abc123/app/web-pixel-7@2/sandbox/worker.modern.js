// A Shopify app pixel running in a Web Worker: no DOM, so it builds the pixel
// request itself and sends it with fetch (rqm=FGET), agent plshopify1.2.
var params = [
  ['id', '1234567890'], ['ev', 'ViewContent'], ['dl', 'https://shop.test/products/tee'], ['rl', ''],
  ['if', 'false'], ['ts', String(Date.now())], ['cd[content_ids]', '["tee-blue-m"]'], ['cd[value]', '30.00'],
  ['cd[currency]', 'USD'], ['v', '2.9.179'], ['r', 'stable'], ['a', 'plshopify1.2'], ['ec', '0'], ['eid', 'vc-tee-app'],
  ['rqm', 'FGET'],
];
var q = params.map(function (p) { return encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]); }).join('&');
fetch('https://www.facebook.com/tr/?' + q, { mode: 'no-cors', credentials: 'include', keepalive: true });
