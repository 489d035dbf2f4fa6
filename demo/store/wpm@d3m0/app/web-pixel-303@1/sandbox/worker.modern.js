// A post-purchase upsell app's pixel in Shopify's Web Worker sandbox: the same
// request-building code as the other app pixel, its own sandbox.
importScripts('/wpm@d3m0/app/web-pixel-202@3/sandbox/worker.modern.js');
