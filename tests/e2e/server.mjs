// Local HTTPS server for browser tests and the demo: one port, routed by Host.
//   shop.test              static store pages from `siteRoot`
//   connect.facebook.net   our pixel stand-in (demo/pixel/fbevents.js) and a signals config stub
//   www.facebook.com (and regional *.facebook.com)
//                          the pixel endpoint: records every request and answers like Meta (a GIF)
// Chromium reaches it through --host-resolver-rules; the certificate is made at
// start (openssl) and accepted with --ignore-certificate-errors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml' };

export function makeCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'pixelproof-cert-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=shop.test',
    '-addext', 'subjectAltName=DNS:shop.test,DNS:www.facebook.com,DNS:*.facebook.com,DNS:connect.facebook.net,DNS:www.instagram.com',
  ], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

export async function startServer({ siteRoot, pixelScript = join(ROOT, 'demo', 'pixel', 'fbevents.js'), dynamic = {}, log = () => {} } = {}) {
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
        return res.end(prefix + readFileSync(pixelScript));
      }
      if (url.pathname.startsWith('/signals/config/')) {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end('/* signals config stand-in: nothing to configure */\n');
      }
      return res.writeHead(404).end();
    }
    if (host === 'shop.test' && dynamic[url.pathname]) {
      const [type, text] = dynamic[url.pathname]();
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      return res.end(text);
    }
    if (host === 'shop.test' && siteRoot) {
      const file = resolveFile(siteRoot, decodeURIComponent(url.pathname));
      if (!file) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      return res.end(readFileSync(file));
    }
    res.writeHead(404).end();
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    port,
    hits,
    requests,
    clearHits() { hits.length = 0; },
    close() { return new Promise((r) => server.close(r)); },
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
    `--host-resolver-rules=MAP www.facebook.com 127.0.0.1:${port}, MAP www.eu.facebook.com 127.0.0.1:${port}, MAP connect.facebook.net 127.0.0.1:${port}, MAP shop.test 127.0.0.1:${port}, MAP * 127.0.0.1:${port}`,
  ];
  if (extensionDir) args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  return args;
}
