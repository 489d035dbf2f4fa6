// The page's own globals that page-hook.js (MAIN world) reads: Meta's fbq and
// _fbq, Shopify's objects, and V8's Error.prepareStackTrace. All are the page's
// to set (or forge), so they are typed as `any` and read defensively.
interface Window {
  fbq?: any;
  _fbq?: any;
  Shopify?: any;
  ShopifyAnalytics?: any;
}

interface ErrorConstructor {
  prepareStackTrace?: (error: Error, sites: any[]) => unknown;
}
