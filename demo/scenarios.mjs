// The demo's library of store setups: each one a way merchants really run the
// Meta pixel on Shopify, with the order, who sends which event (and with what
// event id), what the store's backend sends to the Conversions API, and the
// verdict and finding codes PixelProof must give, written beside it. One
// source for the pages (served as /demo/config.js), the server payloads, the
// order JSON and the tests (tests/suites/demo.mjs).
//
// Senders, as the store pages run them (demo/store):
//   theme      the theme's own base code and tracking (pixel-base.js, theme.js)
//   gtm        a Google Tag Manager container's Meta pixel tag (gtm.js from
//              www.googletagmanager.com; agent `tmgoogletagmanager`)
//   fni        the Facebook & Instagram app's web pixel, in Shopify's web
//              worker sandbox (agent `plshopify1.2`; its Conversions API twin
//              shares its event ids)
//   custom     a custom pixel (Settings → Customer events) in Shopify's
//              sandboxed iframe
//   script_tag a pixel app's storefront script tag, inserted by Shopify's
//              `asyncLoad` with `?shop=<shop>.myshopify.com`
//   upsell     a post-purchase upsell app's web pixel (worker sandbox), which
//              sends through the F&I app's Meta integration (its agent)
// Event kinds: pv PageView, vc ViewContent, atc AddToCart, ic InitiateCheckout,
// purchase Purchase.
export const PIXEL_ID = '1234567890';
export const SHOP = 'pixelproof-demo.myshopify.com';

/** Classic Tee × 2 at 30.00, shipping 10.00, tax 8.00: the demo store's order. */
const ORDER = { subtotal: 60.0, shipping: 10.0, tax: 8.0, discount: 0.0, total: 78.0, currency: 'USD', items: 2 };
const CLEAN_SENDERS = { theme: ['pv', 'vc', 'atc'], custom: ['ic'], fni: ['purchase'] };
/** The offer accepted after payment: Sports Socks, 20.00 (no extra shipping or tax). */
const UPSELL_ITEM = { id: 'socks-white', title: 'Sports Socks', price: 20.0, quantity: 1 };

// `expect.codes`: every finding as "severity code [event]", sorted (what the
// tests compare).
export const SCENARIOS = {
  messy: {
    description: 'base code twice, two Purchase senders (one without eid), $1,234.50, usd, plain e-mail, AddToCart on page load, app pixel sends the subtotal',
    setup: 'A store three agencies have touched: a second base code, a hand-written Purchase tag, a cart script that re-fires AddToCart.',
    number: 1002,
    senders: CLEAN_SENDERS,
    server: 'messy',
    expect: {
      verdict: 'stop',
      codes: [
        'fail add_to_cart_without_action AddToCart',
        'fail dedup_key_mismatch Purchase',
        'fail duplicate_event Purchase',
        'fail invalid_currency Purchase',
        'fail invalid_value Purchase',
        'fail missing_event_id Purchase',
        'fail multiple_senders Purchase',
        'fail unhashed_user_data Purchase',
        'warn conflicting_pixel_versions',
        'warn duplicate_pixel_script',
        'warn missing_content_type AddToCart',
        'warn missing_content_type Purchase',
        'warn missing_event_id AddToCart',
        'warn pixel_initialized_twice',
        'warn server_event_missing AddToCart',
        'warn server_event_missing InitiateCheckout',
        'warn server_event_missing ViewContent',
        'warn value_mismatch Purchase',
      ],
    },
  },
  clean: {
    description: 'one sender per event, event ids from the order number, correct value and currency, hashed user data',
    setup: 'Theme pixel on the storefront, a custom pixel at checkout, the Facebook & Instagram app for Purchase; the backend sends every event with the same ids.',
    number: 1001,
    senders: CLEAN_SENDERS,
    server: 'shared',
    expect: { verdict: 'go', codes: [] },
  },
  fni_max: {
    description: 'Facebook & Instagram app at maximum data sharing: its web pixel sends every event, its Conversions API twin the same events with the same ids',
    setup: 'The F&I app alone, data sharing set to Maximum (browser + Conversions API, shared event ids); no theme pixel.',
    number: 1003,
    senders: { fni: ['pv', 'vc', 'atc', 'ic', 'purchase'] },
    server: 'shared',
    expect: { verdict: 'go', codes: [] },
  },
  theme_fni_duplicate: {
    description: 'the theme still carries an old base code while the Facebook & Instagram app sends the same events with its own ids',
    setup: 'The F&I app installed, the old theme pixel never removed: two senders, two event ids per action.',
    number: 1004,
    senders: { theme: ['pv', 'vc', 'atc'], fni: ['pv', 'vc', 'atc', 'ic', 'purchase'] },
    server: 'shared',
    expect: {
      verdict: 'stop',
      // The theme's hits carry its own ids, which the app's server events
      // (keyed by the app's ids) cannot deduplicate either.
      codes: [
        'fail dedup_key_mismatch AddToCart',
        'fail dedup_key_mismatch ViewContent',
        'fail duplicate_event AddToCart',
        'warn duplicate_event PageView',
        'warn duplicate_event ViewContent',
        'warn multiple_senders AddToCart',
        'warn multiple_senders ViewContent',
      ],
    },
  },
  gtm_theme_duplicate: {
    description: "a GTM container's Meta tag and the theme's own pixel both track ViewContent and AddToCart, each with its own event id",
    setup: "GTM pasted into theme.liquid with a Meta pixel tag, beside the theme's pixel: the same pixel initialised twice, each action tracked twice.",
    number: 1005,
    senders: { gtm: ['pv', 'vc', 'atc'], theme: ['pv', 'vc', 'atc'], custom: ['ic'], fni: ['purchase'] },
    server: 'shared',
    expect: {
      verdict: 'stop',
      // One sender by the agent (GTM's tag sets it for the pixel), two ids per
      // action; the container's ids match no server event.
      codes: [
        'fail dedup_key_mismatch AddToCart',
        'fail dedup_key_mismatch ViewContent',
        'fail duplicate_event AddToCart',
        'warn duplicate_event ViewContent',
        'warn pixel_initialized_twice',
      ],
    },
  },
  server_gtm_new_event_id: {
    description: 'browser events through GTM, Conversions API through server-side GTM, which makes up a new event_id instead of passing the browser one',
    setup: 'GTM web container → server GTM → Meta Conversions API tag, with the event id not mapped: every server event gets a fresh id.',
    number: 1006,
    senders: { gtm: ['pv', 'vc', 'atc'], custom: ['ic'], fni: ['purchase'] },
    server: 'regenerated',
    expect: {
      verdict: 'stop',
      codes: [
        'fail dedup_key_mismatch AddToCart',
        'fail dedup_key_mismatch InitiateCheckout',
        'fail dedup_key_mismatch Purchase',
        'fail dedup_key_mismatch ViewContent',
      ],
    },
  },
  server_second_sender: {
    description: "two server senders for Purchase: the F&I app's Conversions API with the browser's event id, and a server-side tracking app with an id of its own",
    setup: 'The clean store, plus a server-side tracking app that also sends every order to the Conversions API under its own event id.',
    number: 1013,
    senders: CLEAN_SENDERS,
    server: 'second_sender',
    expect: { verdict: 'stop', codes: ['fail server_purchase_duplicated Purchase'] },
  },
  upsell: {
    description: 'a post-purchase upsell accepted: the upsell app sends a second Purchase with its own event id for the added item only; both have server twins',
    setup: 'Post-purchase offer (Sports Socks, 20.00) accepted after paying 78.00: the order is edited to 98.00.',
    number: 1007,
    senders: { ...CLEAN_SENDERS, upsell: ['purchase'] },
    upsell: { mode: 'added_items' },
    server: 'shared',
    expect: { verdict: 'go', codes: [] },
  },
  upsell_counted_twice: {
    description: 'the upsell app re-sends the whole edited order (98.00, every item) as its Purchase, so Meta counts the first 78.00 twice',
    setup: 'Post-purchase offer accepted, but the upsell app is set to send the order total instead of the offer.',
    number: 1008,
    senders: { ...CLEAN_SENDERS, upsell: ['purchase'] },
    upsell: { mode: 'whole_order' },
    server: 'shared',
    // The order's Purchases also claim 2 + 3 items for an order of 3.
    expect: { verdict: 'stop', codes: ['fail upsell_value_counted_twice Purchase', 'warn num_items_mismatch Purchase'] },
  },
  markets_presentment: {
    description: 'Shopify Markets: the shopper pays in EUR; every event sends the EUR amount with EUR, the shop keeps its books in USD',
    setup: 'Markets with a EUR price list: pixel and server send the presentment pair (71.76 EUR); the order is 78.00 USD / 71.76 EUR.',
    number: 1009,
    senders: CLEAN_SENDERS,
    presentment: { currency: 'EUR', rate: 0.92 },
    server: 'shared',
    expect: { verdict: 'go', codes: [] },
  },
  mixed_currency: {
    description: 'Shopify Markets with an app that sends the EUR amount labelled USD on Purchase (browser and server)',
    setup: 'Markets with EUR prices; the Purchase sender takes the presentment amount but the shop currency code.',
    number: 1010,
    senders: CLEAN_SENDERS,
    presentment: { currency: 'EUR', rate: 0.92 },
    mixedPurchase: true,
    server: 'shared',
    expect: {
      verdict: 'stop',
      codes: ['fail value_currency_mixed Purchase', 'warn currency_mismatch'],
    },
  },
  consent_withheld: {
    description: "the tester declined the store's cookie banner (Shopify Customer Privacy API): the app pixel sends nothing, only the theme's hard-coded PageView",
    setup: "Shopify's cookie banner on, the F&I app for every core event, an old theme base code for PageView; the tester clicks Decline.",
    number: 1011,
    senders: { theme: ['pv'], fni: ['vc', 'atc', 'ic', 'purchase'] },
    consent: { banner: true },
    server: null,
    expect: {
      verdict: 'stop',
      codes: [
        'fail browser_purchase_missing Purchase',
        'warn event_chain_incomplete AddToCart',
        'warn event_chain_incomplete InitiateCheckout',
        'warn event_chain_incomplete ViewContent',
        'warn shopify_consent_withheld',
      ],
    },
  },
  script_tag_pixel: {
    description: "a pixel app loaded through a storefront script tag sends PageView, ViewContent and AddToCart: it works today and stops on 2027-03-01",
    setup: 'An older pixel app that still uses a ScriptTag on the storefront (asyncLoad, ?shop=…), a custom pixel at checkout, the F&I app for Purchase.',
    number: 1012,
    senders: { script_tag: ['pv', 'vc', 'atc'], custom: ['ic'], fni: ['purchase'] },
    server: 'shared',
    expect: {
      verdict: 'go',
      codes: ['warn pixel_in_script_tag AddToCart', 'warn pixel_in_script_tag PageView', 'warn pixel_in_script_tag ViewContent'],
    },
  },
};

/** Scenarios the Firefox tier plays: one per kind of sender and evidence. */
export const FIREFOX_SCENARIOS = ['messy', 'clean', 'fni_max', 'consent_withheld', 'script_tag_pixel'];

const money = (v) => Math.round(v * 100) / 100;

/** The order in the shop's currency and in the shopper's (presentment) one. */
export function orderOf(name) {
  const s = SCENARIOS[name];
  const shop = { ...ORDER, number: s.number };
  if (s.upsell) {
    shop.subtotal += UPSELL_ITEM.price;
    shop.total += UPSELL_ITEM.price;
    shop.items += UPSELL_ITEM.quantity;
  }
  const p = s.presentment;
  const rate = p ? p.rate : 1;
  const presentment = {
    ...shop,
    currency: p ? p.currency : shop.currency,
    subtotal: money(shop.subtotal * rate),
    shipping: money(shop.shipping * rate),
    tax: money(shop.tax * rate),
    discount: money(shop.discount * rate),
    total: money(shop.total * rate),
  };
  return { shop, presentment, rate };
}

/** What the pages need: who sends what, prices in the shopper's currency. */
export function demoConfig(name) {
  const s = SCENARIOS[name];
  const { presentment, rate } = orderOf(name);
  // The first purchase (before any upsell), as the checkout showed it.
  const first = s.upsell
    ? { ...presentment, subtotal: money(presentment.subtotal - UPSELL_ITEM.price * rate), total: money(presentment.total - UPSELL_ITEM.price * rate), items: presentment.items - UPSELL_ITEM.quantity }
    : presentment;
  return {
    scenario: name,
    description: s.description,
    pixelId: PIXEL_ID,
    shop: SHOP,
    customer: { email: 'jane.doe@example.com' },
    senders: s.senders,
    price: money(30 * rate),
    currency: presentment.currency,
    rate,
    order: first,
    upsell: s.upsell ? { ...UPSELL_ITEM, price: money(UPSELL_ITEM.price * rate), mode: s.upsell.mode, edited: presentment } : null,
    mixedPurchase: Boolean(s.mixedPurchase),
    shopCurrency: ORDER.currency,
    consent: s.consent || null,
  };
}

export function configScript(name) {
  const demo = demoConfig(name);
  const lines = [
    `window.DEMO = ${JSON.stringify(demo)};`,
    // Event ids: one per action, from the order number; a PageView's also names
    // the page. The F&I app makes its own for the storefront events (its
    // Conversions API twin uses the same ones); Purchase is keyed by the order.
    "window.DEMO.eid = function (kind, sender) { var n = window.DEMO.order.number; if (kind === 'pv') return (sender === 'fni' ? 'fni-' : '') + 'pv-' + n + '-' + location.pathname.split('/').pop(); if (kind === 'purchase') return 'order-' + n; return (sender === 'fni' ? 'fni-' : sender === 'gtm-own' ? 'gtm-' : '') + kind + '-' + n; };",
    "window.DEMO.sends = function (sender, kind) { var s = window.DEMO.senders[sender]; return Boolean(s && s.indexOf(kind) >= 0); };",
  ];
  if (demo.senders.gtm) {
    // GTM's container, pasted into the theme's <head>: its Meta pixel tag
    // runs before the theme's own pixel code.
    lines.push("document.write('<script src=\"https://www.googletagmanager.com/gtm.js?id=GTM-DEMO1\"><\\/script>');");
  }
  if (demo.senders.script_tag) {
    // Shopify's storefront script-tag loader, as content_for_header renders it:
    // each ScriptTag src with ?shop=<shop>.myshopify.com, inserted on load. On
    // theme pages only: checkout renders no content_for_header.
    lines.push(`if (!/^\\/checkouts\\//.test(location.pathname)) (function() {
  function asyncLoad() {
    var urls = ["https:\\/\\/pixel-app.test\\/pixel.js?shop=${SHOP}"];
    for (var i = 0; i < urls.length; i++) {
      var s = document.createElement('script');
      s.type = 'text/javascript';
      s.async = true;
      s.src = urls[i];
      var x = document.getElementsByTagName('script')[0];
      x.parentNode.insertBefore(s, x);
    }
  };
  if (window.attachEvent) { window.attachEvent('onload', asyncLoad); } else { window.addEventListener('load', asyncLoad, false); }
})();`);
  }
  return lines.join('\n') + '\n';
}

const t0 = () => Math.floor(Date.now() / 1000);

/**
 * The JSON body the store's backend sent to the Graph API events endpoint
 * (Meta's Conversions API payload: `data[]` of server events), or null when
 * the scenario's store sends none the tester can paste.
 */
export function serverPayload(name) {
  const s = SCENARIOS[name];
  if (!s.server) return null;
  const cfg = demoConfig(name);
  const o = cfg.order;
  const user = { em: ['b9c6b0d1c1a5b4f4f0d6b1c5e0f8a8e5c9d2d6e7f1a3b5c7d9e1f3a5b7c9d1e3'], client_ip_address: '203.0.113.7', client_user_agent: 'Mozilla/5.0' };
  const contents = [{ id: 'tee-blue-m', quantity: o.items }];
  const ev = (event_name, event_id, custom_data) => ({ event_name, event_time: t0(), event_id, action_source: 'website', event_source_url: 'https://shop.test/', user_data: user, custom_data });
  if (s.server === 'messy') {
    // Only Purchase, keyed by the bare order number, with the formatted price parsed wrong.
    return { data: [ev('Purchase', String(o.number), { value: 1234.5, currency: 'USD', contents, order_id: String(o.number) })] };
  }
  // Each event from the sender that sends it in the browser, with its id.
  const owner = (kind) => ['fni', 'theme', 'gtm', 'script_tag', 'custom'].find((x) => cfg.senders[x] && cfg.senders[x].includes(kind));
  const eid = (kind) => (owner(kind) === 'fni' && kind !== 'purchase' ? `fni-${kind}-${o.number}` : kind === 'purchase' ? `order-${o.number}` : `${kind}-${o.number}`);
  const cur = cfg.currency;
  const purchaseCurrency = cfg.mixedPurchase ? cfg.shopCurrency : cur;
  const events = [
    ['ViewContent', 'vc', { value: cfg.price, currency: cur, content_ids: ['tee-blue-m'], content_type: 'product' }],
    ['AddToCart', 'atc', { value: money(cfg.price * 2), currency: cur, contents, content_type: 'product' }],
    ['InitiateCheckout', 'ic', { value: o.subtotal, currency: cur, contents, content_type: 'product', num_items: o.items }],
    ['Purchase', 'purchase', { value: o.total.toFixed(2), currency: purchaseCurrency, contents, content_type: 'product', order_id: String(o.number), num_items: o.items }],
  ].map(([name, kind, data]) => ev(name, s.server === 'regenerated' ? regenerated(name, o.number) : eid(kind), data));
  if (cfg.upsell) events.push(ev('Purchase', `order-${o.number}-upsell-1`, upsellData(cfg)));
  // A second server sender reports the order again under its own id.
  if (s.server === 'second_sender') events.push(ev('Purchase', `srv-app-${o.number}`, { ...events[3].custom_data }));
  return { data: events };
}

/** Server GTM's own id when the browser's is not mapped: a fresh one per event. */
function regenerated(event, number) {
  let h = 0;
  for (const c of `${event}${number}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `${h.toString(16)}-${(h ^ 0x5bd1e995).toString(16)}`;
}

/** The upsell Purchase's custom data: the offer alone, or (wrongly) the whole edited order. */
export function upsellData(cfg) {
  const u = cfg.upsell;
  const item = [{ id: u.id, quantity: u.quantity, item_price: u.price }];
  if (u.mode === 'whole_order') {
    return { value: u.edited.total.toFixed(2), currency: cfg.currency, contents: [{ id: 'tee-blue-m', quantity: cfg.order.items }, ...item], content_type: 'product', order_id: String(cfg.order.number), num_items: u.edited.items };
  }
  return { value: u.price.toFixed(2), currency: cfg.currency, contents: item, content_type: 'product', order_id: String(cfg.order.number), num_items: u.quantity };
}

/**
 * The order as the Shopify Admin REST API returns it (`GET
 * /admin/api/<version>/orders/<id>.json`: `order` with the shop-currency
 * amounts, `presentment_currency`, and `*_set` objects holding `shop_money`
 * and `presentment_money`).
 */
export function adminOrder(name) {
  const { shop: o, presentment: p } = orderOf(name);
  const cfg = demoConfig(name);
  const m = (v) => v.toFixed(2);
  const set = (key) => ({ shop_money: { amount: m(o[key]), currency_code: o.currency }, presentment_money: { amount: m(p[key]), currency_code: p.currency } });
  const lines = [{ id: 1, title: 'Classic Tee', sku: 'tee-blue-m', quantity: 2, price: '30.00' }];
  if (cfg.upsell) lines.push({ id: 2, title: UPSELL_ITEM.title, sku: UPSELL_ITEM.id, quantity: UPSELL_ITEM.quantity, price: m(UPSELL_ITEM.price) });
  return {
    order: {
      id: 5550000000 + o.number, order_number: o.number, name: `#${o.number}`, financial_status: 'paid', currency: o.currency, presentment_currency: p.currency,
      total_price: m(o.total), subtotal_price: m(o.subtotal), total_tax: m(o.tax), total_discounts: m(o.discount),
      total_price_set: set('total'), subtotal_price_set: set('subtotal'), total_tax_set: set('tax'),
      total_shipping_price_set: set('shipping'), total_discounts_set: set('discount'),
      line_items: lines,
      // What the Admin API also returns about the customer: PixelProof keeps
      // the figures of a pasted order and none of this.
      email: 'jane.doe@example.com',
      phone: '+1 650 555 0123',
      customer: { id: 7001, email: 'jane.doe@example.com', first_name: 'Jane', last_name: 'Doe' },
      shipping_address: { first_name: 'Jane', last_name: 'Doe', address1: '1 Market St', city: 'San Francisco', zip: '94105', country_code: 'US' },
    },
  };
}
