// Local HTTPS server for browser tests and the demo: one port, routed by Host.
//   shop.test              static store pages from `siteRoot`
//   connect.facebook.net   our pixel stand-in (demo/pixel/fbevents.js) and a signals config stub
//                          (a benchmark may serve a library and config of its own: `pixelText`, `signalsConfig`)
//   www.facebook.com (and regional *.facebook.com)
//                          the pixel endpoint: records every request and answers like Meta (a GIF)
//   any host named in `hosts`
//                          static files from that host's directory (the demo's tag
//                          manager and a script-tag app host)
//   shop.test/__pixelproof-control
//                          an empty page for the Firefox tests' bridge (extension/test-bridge.js)
// Chromium reaches it through --host-resolver-rules; Firefox has no such switch
// and uses it as its proxy instead (`proxy: true`, see firefoxPrefs). The
// certificate is made at start (openssl) and accepted with
// --ignore-certificate-errors / acceptInsecureCerts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml' };

export function makeCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'pixelproof-cert-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=shop.test',
    '-addext', 'subjectAltName=DNS:shop.test,DNS:store2.test,DNS:elsewhere.test,DNS:www.facebook.com,DNS:*.facebook.com,DNS:connect.facebook.net,DNS:www.instagram.com,DNS:www.googletagmanager.com,DNS:pixel-app.test',
  ], { stdio: 'ignore' });
  try {
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    // Read once into memory: every run used to leave a key pair in the temp folder.
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startServer({ siteRoot, pixelScript = join(ROOT, 'demo', 'pixel', 'fbevents.js'), pixelText = null, signalsConfig = null, dynamic = {}, hosts = {}, log = () => {}, proxy = false } = {}) {
  const hits = [];
  // Every request, for the "extension makes no request of its own" check.
  const requests = [];
  const server = createServer(makeCertificate(), (req, res) => {
    const host = (req.headers.host || '').split(':')[0];
    const url = new URL(req.url, `https://${host}`);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ host, url: url.href, origin: req.headers.origin || null, referer: req.headers.referer || null });
      try {
        route(host, url, req, res, body);
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
  });

  function route(host, url, req, res, body) {
    if (host.endsWith('facebook.com') || host === 'www.instagram.com') {
      if (url.pathname === '/tr' || url.pathname === '/tr/' || url.pathname.startsWith('/privacy_sandbox/')) {
        hits.push({
          method: req.method,
          url: url.href,
          contentType: req.headers['content-type'] || null,
          body: body.toString('latin1'),
          time: Date.now(),
        });
        log(`pixel ${req.method} ${url.pathname}`);
      }
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'image/gif', 'access-control-allow-origin': '*' }).end(GIF);
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' }).end('');
      }
      return;
    }
    if (host === 'connect.facebook.net') {
      if (url.pathname.endsWith('/fbevents.js')) {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        // ?v=… lets a page load a second, differently versioned copy (the messy scenario).
        const version = url.searchParams.get('v');
        const prefix = version ? `window.__pixelStandInVersion=${JSON.stringify(version)};\n` : '';
        return res.end(prefix + (pixelText ?? readFileSync(pixelScript)));
      }
      if (url.pathname.startsWith('/signals/config/')) {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        // A benchmark may serve a real-sized config (a function of the pixel id it is asked for).
        if (signalsConfig) return res.end(signalsConfig(url.pathname.slice('/signals/config/'.length)));
        return res.end('/* signals config stand-in: nothing to configure */\n');
      }
      return res.writeHead(404).end();
    }
    if (Object.hasOwn(hosts, host)) {
      const file = resolveFile(hosts[host], decodeURIComponent(url.pathname));
      if (!file) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      return res.end(readFileSync(file));
    }
    if (host === 'shop.test' && url.pathname === '/__pixelproof-control') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end('<!doctype html><meta charset="utf-8"><title>PixelProof test control</title>\n');
    }
    if (host === 'shop.test' && dynamic[url.pathname]) {
      const [type, text] = dynamic[url.pathname]();
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      return res.end(text);
    }
    // A site that is not a store anyone watches, with its own pixel.
    if (host === 'elsewhere.test' && siteRoot) {
      const file = resolveFile(join(siteRoot, 'elsewhere'), decodeURIComponent(url.pathname));
      if (!file) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      return res.end(readFileSync(file));
    }
    // A second store with the same pages: one no test build is granted at
    // install, for the first-run tests that watch a store the way a user does.
    if ((host === 'shop.test' || host === 'store2.test') && siteRoot) {
      const file = resolveFile(siteRoot, decodeURIComponent(url.pathname));
      if (!file) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      return res.end(readFileSync(file));
    }
    res.writeHead(404).end();
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  let proxyServer = null;
  if (proxy) {
    // An HTTP proxy in front of the HTTPS server: every CONNECT, whatever host it
    // names, is answered here and its TLS handed to the server above, so nothing
    // reaches another host (Firefox does not resolve names it sends to a proxy).
    proxyServer = createHttpServer((req, res) => {
      // Plain http:// through the proxy: nothing here serves it; seen all the same.
      requests.push({ host: req.headers.host || '', url: req.url, origin: req.headers.origin || null, referer: req.headers.referer || null });
      res.writeHead(404).end();
    });
    proxyServer.on('connect', (req, socket, head) => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head && head.length) socket.unshift(head);
      server.emit('connection', socket);
    });
    await new Promise((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
  }
  return {
    port,
    proxyPort: proxyServer ? proxyServer.address().port : null,
    hits,
    requests,
    clearHits() { hits.length = 0; },
    async close() {
      // Keep-alive sockets of a browser that is already gone would hold close() open.
      server.closeAllConnections?.();
      proxyServer?.closeAllConnections();
      await Promise.all([server, proxyServer].filter(Boolean).map((s) => new Promise((r) => s.close(r))));
    },
  };
}

function resolveFile(root, pathname) {
  const safe = normalize(pathname).replace(/^(\.\.[/\\])+/, '');
  for (const candidate of [join(root, safe), join(root, safe + '.html'), join(root, safe, 'index.html')]) {
    if (!candidate.startsWith(root)) continue;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

// Chromium flags for the tests and the demo. Every host resolves to the local
// server (the last MAP), so any request the browser or the extension makes is
// seen there; the network-quiet flags keep Chromium's own traffic off.
export function chromiumArgs(port, extensionDir) {
  const args = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--ignore-certificate-errors',
    `--host-resolver-rules=MAP www.facebook.com 127.0.0.1:${port}, MAP www.eu.facebook.com 127.0.0.1:${port}, MAP connect.facebook.net 127.0.0.1:${port}, MAP shop.test 127.0.0.1:${port}, MAP store2.test 127.0.0.1:${port}, MAP * 127.0.0.1:${port}`,
  ];
  if (extensionDir) args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  return args;
}

// Firefox preferences for the tests and the demo. Firefox has no
// --host-resolver-rules; of its two ways to reach the local server we take the
// proxy (every https:// request goes as CONNECT to `startServer({proxy: true})`)
// rather than network.dns.forceResolve + port 443: the server keeps a random
// port, so test files and other checkouts on this machine can run side by side,
// and nothing needs root.
export function firefoxPrefs(proxyPort) {
  return {
    'network.proxy.type': 1,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxyPort,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxyPort,
    'network.proxy.share_proxy_settings': false,
    // No exceptions, localhost included: nothing the browser loads bypasses the test server.
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
    // DNS over HTTPS and DNS/link prefetch would resolve or fetch outside the proxy.
    'network.trr.mode': 5,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    // Firefox's own connectivity probes: they would only add noise to the server's request log.
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
  };
}
