// PixelProof's stand-in for Meta's fbevents.js (our own code; no Meta code is
// copied). Served as https://connect.facebook.net/en_US/fbevents.js by the
// demo/test server, it speaks the same wire protocol (docs/product-rules.md,
// "Pixel parameters"):
//   * GET image to https://www.facebook.com/tr/ while the URL stays under 2048
//     characters (rqm=GET), else (or when asked) sendBeacon of FormData (rqm=SB);
//     a hidden-iframe form POST (rqm=formPOST) when a call asks for it;
//   * id, ev, dl, rl, if, ts, cd[…], sw, sh, v, r, a, ec, o, fbp, fbc, it, coo, eid,
//     ud[…] (SHA-256 of the trimmed, lower-cased advanced-matching values), rqm;
//   * an ad click's fbclid is kept in the _fbc cookie as fb.1.<ms>.<fbclid> and sent
//     as fbc with every event (none in a frame without cookies);
//   * fbq('consent', 'revoke') holds events back until fbq('consent', 'grant');
//   * drops a repeated PageView for the same pixel in one document, as fbevents does.
// Options beyond Meta's: {transport: 'beacon' | 'form'} in the 4th argument.
(function () {
  'use strict';
  var w = window;
  var fbq = w.fbq;
  if (!fbq || fbq.callMethod) return; // no base code, or already loaded
  var VERSION = w.__pixelStandInVersion || '2.9.179';
  var IT = Date.now();
  var pixels = {};
  var order = [];
  var agent = null;
  var ec = 0;
  var pageViewSent = {};

  // Advanced-matching values are hashed (SHA-256 of the trimmed, lower-cased
  // value) before anything is sent; sends wait for the hashes.
  function hashed(v) {
    var s = String(v).trim().toLowerCase();
    if (/^[0-9a-f]{64}$/.test(s)) return Promise.resolve(s);
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
    });
  }
  function hashAll(ud) {
    var keys = Object.keys(ud || {}).filter(function (k) { return ud[k] != null && ud[k] !== ''; });
    return Promise.all(keys.map(function (k) {
      // external_id is sent as given, as fbevents does.
      return k === 'external_id' ? Promise.resolve(String(ud[k])) : hashed(ud[k]);
    })).then(function (values) {
      return keys.map(function (k, i) { return ['ud[' + k + ']', values[i]]; });
    });
  }

  var fbpValue = null;
  function fbp() {
    if (fbpValue) return fbpValue;
    try {
      var m = document.cookie.match(/(?:^|; )_fbp=([^;]+)/);
      if (m) return (fbpValue = m[1]);
    } catch (e) { /* a sandboxed frame has no cookies */ }
    fbpValue = 'fb.1.' + IT + '.' + Math.floor(Math.random() * 2147483647);
    try { document.cookie = '_fbp=' + fbpValue + '; path=/; max-age=7776000; SameSite=Lax'; } catch (e) { /* sandboxed */ }
    return fbpValue;
  }

  // The click id of the ad the shopper came from: the landing URL's fbclid,
  // kept in the _fbc cookie so later pages send it too.
  var fbcValue;
  function fbc() {
    if (fbcValue !== undefined) return fbcValue;
    var cookie = null;
    try {
      var m = document.cookie.match(/(?:^|; )_fbc=([^;]+)/);
      if (m) cookie = m[1];
    } catch (e) { return (fbcValue = null); /* a sandboxed frame has no cookies */ }
    var clicked = new URLSearchParams(location.search).get('fbclid');
    if (clicked && !(cookie && cookie.split('.')[3] === clicked)) {
      cookie = 'fb.1.' + Date.now() + '.' + clicked;
      try { document.cookie = '_fbc=' + cookie + '; path=/; max-age=7776000; SameSite=Lax'; } catch (e) { /* sandboxed */ }
    }
    return (fbcValue = cookie);
  }

  // While consent is revoked, sends wait here for fbq('consent', 'grant').
  var consentRevoked = false;
  var held = [];

  function encode(pairs) {
    return pairs.map(function (p) { return encodeURIComponent(p[0]).replace(/%5B/g, '[').replace(/%5D/g, ']') + '=' + encodeURIComponent(p[1]); }).join('&');
  }

  function params(id, ev, data, opts) {
    var p = [['id', id], ['ev', ev], ['dl', location.href], ['rl', document.referrer], ['if', String(w.top !== w)], ['ts', String(Date.now())]];
    data = data || {};
    Object.keys(data).forEach(function (k) {
      var v = data[k];
      p.push(['cd[' + k + ']', typeof v === 'object' ? JSON.stringify(v) : String(v)]);
    });
    p.push(['sw', String(screen.width)], ['sh', String(screen.height)], ['v', VERSION], ['r', 'stable']);
    if (agent) p.push(['a', agent]);
    p.push(['ec', String(ec++)], ['o', '4126'], ['fbp', fbp()]);
    if (fbc()) p.push(['fbc', fbc()]);
    p.push(['it', String(IT)], ['coo', 'false']);
    if (opts && opts.eventID != null) p.push(['eid', String(opts.eventID)]);
    return p;
  }

  function send(p, opts) {
    var transport = opts && opts.transport;
    var get = 'https://www.facebook.com/tr/?' + encode(p.concat([['rqm', 'GET']]));
    if (!transport && get.length < 2048) {
      var img = new Image();
      img.src = get;
      return;
    }
    if (transport === 'form') {
      var name = 'fb' + Math.random().toString(36).slice(2);
      var frame = document.createElement('iframe');
      frame.name = name;
      frame.style.display = 'none';
      document.body.appendChild(frame);
      var form = document.createElement('form');
      form.method = 'POST';
      form.action = 'https://www.facebook.com/tr/';
      form.target = name;
      form.style.display = 'none';
      p.concat([['rqm', 'formPOST']]).forEach(function (kv) {
        var input = document.createElement('input');
        input.type = 'hidden';
        input.name = kv[0];
        input.value = kv[1];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
      return;
    }
    var fd = new FormData();
    p.concat([['rqm', 'SB']]).forEach(function (kv) { fd.append(kv[0], kv[1]); });
    navigator.sendBeacon('https://www.facebook.com/tr/', fd);
  }

  function track(ids, ev, data, opts) {
    ids.forEach(function (id) {
      if (ev === 'PageView') {
        if (pageViewSent[id]) return;
        pageViewSent[id] = true;
      }
      var p = params(id, ev, data, opts);
      var ud = pixels[id] ? pixels[id].ud : Promise.resolve([]);
      var go = function () { ud.then(function (pairs) { send(p.concat(pairs), opts); }); };
      if (consentRevoked) held.push(go);
      else go();
    });
  }

  function call(args) {
    var method = args[0];
    if (method === 'init') {
      if (!pixels[args[1]]) order.push(args[1]);
      pixels[args[1]] = { ud: hashAll(args[2]) };
    } else if (method === 'consent') {
      consentRevoked = args[1] === 'revoke';
      if (!consentRevoked) {
        var waiting = held;
        held = [];
        waiting.forEach(function (go) { go(); });
      }
    } else if (method === 'set' && args[1] === 'agent') {
      agent = args[2];
    } else if (method === 'track' || method === 'trackCustom') {
      track(order, args[1], args[2], args[3]);
    } else if (method === 'trackSingle' || method === 'trackSingleCustom') {
      track([args[1]], args[2], args[3], args[4]);
    }
  }

  fbq.callMethod = function () {
    try { call(Array.prototype.slice.call(arguments)); } catch (e) { /* a stand-in must not break the page */ }
  };
  fbq.version = VERSION;
  var queued = (fbq.queue || []).slice();
  if (fbq.queue) fbq.queue.length = 0;
  queued.forEach(function (a) { fbq.callMethod.apply(fbq, a); });
})();
