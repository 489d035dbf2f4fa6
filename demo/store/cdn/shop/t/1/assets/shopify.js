// What a Shopify storefront exposes to scripts (the parts PixelProof reads).
(function () {
  var D = window.DEMO;
  var page = document.body ? document.body.getAttribute('data-page') : null;
  window.Shopify = { shop: 'pixelproof-demo.myshopify.com', currency: { active: 'USD', rate: '1.0' } };
  window.ShopifyAnalytics = { meta: { page: { pageType: page || document.documentElement.getAttribute('data-page') } } };
  document.addEventListener('DOMContentLoaded', function () {
    var p = document.body.getAttribute('data-page');
    window.ShopifyAnalytics.meta.page.pageType = p;
    var b = document.getElementById('scenario');
    if (b) b.textContent = 'Demo scenario: ' + D.scenario + ' — ' + D.description;
    if (p === 'thank_you') {
      var o = D.order;
      window.Shopify.checkout = {
        order_id: o.number, total_price: o.total.toFixed(2), subtotal_price: o.subtotal.toFixed(2),
        total_tax: o.tax.toFixed(2), shipping_rate: { price: o.shipping.toFixed(2) }, total_discounts: o.discount.toFixed(2),
        currency: o.currency, line_items: [{ title: 'Classic Tee', quantity: o.items, price: '30.00' }],
      };
    }
  });
})();
