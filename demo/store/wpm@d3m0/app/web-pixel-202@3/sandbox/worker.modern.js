// An app pixel in Shopify's Web Worker sandbox (the Facebook & Instagram app;
// the upsell app loads the same code). No DOM: it builds the pixel request
// itself and sends it with fetch (rqm=FGET), with the app's agent (the F&I
// app's is plshopify1.2) and the e-mail hashed with SHA-256.
function hex(buf) {
  return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
}
var ec = 0;
self.onmessage = function (e) {
  var m = e.data;
  var hashed = m.email
    ? crypto.subtle.digest('SHA-256', new TextEncoder().encode(String(m.email).trim().toLowerCase())).then(hex)
    : Promise.resolve(null);
  hashed.then(function (em) {
    var p = [['id', m.pixelId], ['ev', m.event], ['dl', m.page], ['rl', m.referrer], ['if', 'false'], ['ts', String(Date.now())]];
    Object.keys(m.cd).forEach(function (k) { p.push(['cd[' + k + ']', m.cd[k]]); });
    p.push(['v', '2.9.179'], ['r', 'stable']);
    if (m.agent) p.push(['a', m.agent]);
    p.push(['ec', String(ec++)]);
    if (em) p.push(['ud[em]', em]);
    if (m.eid) p.push(['eid', m.eid]);
    p.push(['rqm', 'FGET']);
    var url = 'https://www.facebook.com/tr/?' + p.map(function (kv) { return encodeURIComponent(kv[0]) + '=' + encodeURIComponent(kv[1]); }).join('&');
    fetch(url, { mode: 'no-cors', credentials: 'include', keepalive: true });
    self.postMessage('sent');
  });
};
