// @ts-check
// Page hook: what a Shopify page says about itself (shop, page type, currency,
// and on the thank-you page the order's totals).

/** @param {unknown} v */
const num = (v) => {
  const n = typeof v === 'string' ? parseFloat(v) : v;
  return typeof n === 'number' && isFinite(n) ? n : null;
};
const shopify = () => {
  try {
    const S = window.Shopify;
    const meta = window.ShopifyAnalytics && window.ShopifyAnalytics.meta;
    if (!S && !meta) return;
    /** @type {{ kind: string, shop: string | null, [field: string]: unknown }} */
    const record = { kind: 'shopify', shop: S && typeof S.shop === 'string' ? S.shop : null };
    const pageType = meta && meta.page && meta.page.pageType;
    if (typeof pageType === 'string') record.page_type = pageType;
    const cur = S && S.currency && S.currency.active;
    if (typeof cur === 'string') record.currency = cur;
    const c = S && S.checkout;
    if (c && typeof c === 'object' && num(c.total_price) != null) {
      const items = Array.isArray(c.line_items) ? c.line_items.reduce((/** @type {number} */ n, /** @type {any} */ li) => n + (num(li && li.quantity) || 0), 0) : null;
      record.page_type = record.page_type || 'thank_you';
      record.order = {
        order_number: c.order_id != null ? String(c.order_id) : null,
        total: num(c.total_price),
        subtotal: num(c.subtotal_price),
        shipping: c.shipping_rate ? num(c.shipping_rate.price) : num(c.shipping_price),
        tax: num(c.total_tax),
        discount: num(c.discount && c.discount.amount) || num(c.total_discounts),
        currency: typeof c.currency === 'string' ? c.currency : null,
        item_count: items,
      };
    }
    emit(record);
  } catch (_) { /* ignore */ }
};
