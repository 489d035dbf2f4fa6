// The demo's two scenarios: the order, the ids each sender uses, and what the
// store's backend would have sent to the Conversions API. One source for the
// pages (served as /demo/config.js), the server payloads and the order JSON.
export const PIXEL_ID = '1234567890';

export const SCENARIOS = {
  clean: {
    description: 'one sender per event, event ids from the order number, correct value and currency, hashed user data',
    order: { number: 1001, subtotal: 60.0, shipping: 10.0, tax: 8.0, discount: 0.0, total: 78.0, currency: 'USD', items: 2 },
  },
  messy: {
    description: 'base code twice, two Purchase senders (one without eid), $1,234.50, usd, plain e-mail, AddToCart on page load, app pixel sends the subtotal',
    order: { number: 1002, subtotal: 60.0, shipping: 10.0, tax: 8.0, discount: 0.0, total: 78.0, currency: 'USD', items: 2 },
  },
};

export function configScript(name) {
  const s = SCENARIOS[name];
  const demo = { scenario: name, description: s.description, pixelId: PIXEL_ID, customer: { email: 'jane.doe@example.com' }, order: s.order };
  // Event ids: one per action, from the order number; a PageView's also names the page.
  return `window.DEMO = ${JSON.stringify(demo)};\nwindow.DEMO.eid = function (kind) { return kind === 'pv' ? 'pv-' + window.DEMO.order.number + '-' + location.pathname.split('/').pop() : kind + '-' + window.DEMO.order.number; };\n`;
}

const t0 = () => Math.floor(Date.now() / 1000);

/** The JSON body the store's backend sent to the Graph API events endpoint. */
export function serverPayload(name) {
  const o = SCENARIOS[name].order;
  const user = { em: ['b9c6b0d1c1a5b4f4f0d6b1c5e0f8a8e5c9d2d6e7f1a3b5c7d9e1f3a5b7c9d1e3'], client_ip_address: '203.0.113.7', client_user_agent: 'Mozilla/5.0' };
  const contents = [{ id: 'tee-blue-m', quantity: o.items }];
  const ev = (event_name, event_id, custom_data) => ({ event_name, event_time: t0(), event_id, action_source: 'website', event_source_url: 'https://shop.test/', user_data: user, custom_data });
  if (name === 'clean') {
    return {
      data: [
        ev('ViewContent', `vc-${o.number}`, { value: 30.0, currency: 'USD', content_ids: ['tee-blue-m'], content_type: 'product' }),
        ev('AddToCart', `atc-${o.number}`, { value: 60.0, currency: 'USD', contents, content_type: 'product' }),
        ev('InitiateCheckout', `ic-${o.number}`, { value: o.subtotal, currency: 'USD', contents, content_type: 'product', num_items: o.items }),
        ev('Purchase', `order-${o.number}`, { value: o.total.toFixed(2), currency: 'USD', contents, content_type: 'product', order_id: String(o.number), num_items: o.items }),
      ],
    };
  }
  // Messy: only Purchase, keyed by the bare order number, with the formatted price parsed wrong.
  return { data: [ev('Purchase', String(o.number), { value: 1234.5, currency: 'USD', contents, order_id: String(o.number) })] };
}

/** The order as the Shopify Admin API returns it. */
export function adminOrder(name) {
  const o = SCENARIOS[name].order;
  const m = (v) => v.toFixed(2);
  return {
    order: {
      id: 5550000000 + o.number, order_number: o.number, name: `#${o.number}`, financial_status: 'paid', currency: o.currency, presentment_currency: o.currency,
      total_price: m(o.total), subtotal_price: m(o.subtotal), total_tax: m(o.tax), total_discounts: m(o.discount),
      total_shipping_price_set: { shop_money: { amount: m(o.shipping), currency_code: o.currency } },
      total_price_set: { shop_money: { amount: m(o.total), currency_code: o.currency }, presentment_money: { amount: m(o.total), currency_code: o.currency } },
      line_items: [{ id: 1, title: 'Classic Tee', quantity: o.items, price: '30.00' }],
      financial_status: 'paid',
      // What the Admin API also returns about the customer: PixelProof keeps
      // the figures of a pasted order and none of this.
      email: 'jane.doe@example.com',
      phone: '+1 650 555 0123',
      customer: { id: 7001, email: 'jane.doe@example.com', first_name: 'Jane', last_name: 'Doe' },
      shipping_address: { first_name: 'Jane', last_name: 'Doe', address1: '1 Market St', city: 'San Francisco', zip: '94105', country_code: 'US' },
    },
  };
}
