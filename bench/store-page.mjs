// The store-like page of the page-cost bench: a product page shaped like one
// rendered by Dawn, Shopify's open-source reference theme
// (https://github.com/Shopify/dawn), with Dawn's own CSS and JS assets, the
// demo store's pixel base code, Shopify globals and web pixels, and the pixel
// library of bench/pixel-library.mjs (Meta's own when given). Liquid is not
// rendered: the markup below follows Dawn's layout/theme.liquid (head
// scripts and styles, the inline `window.routes` / strings block, the cart
// drawer, header and footer groups) and sections/main-product.liquid (the
// product-info element, media gallery, variant picker, quantity input,
// product form, collapsible rows, the section's scripts and styles), with a
// product recommendations grid of cards as Dawn's related-products section
// renders it. Dawn is not part of this repository: it is read at run time from
//
//   BENCH_DAWN=/path/to/dawn   a checkout, or a git directory of one
//
// else from target/bench/dawn (a shallow clone this file makes when git can
// reach GitHub). Without either the page is skipped, and the bench says so.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../support/drivers/common.mjs';

const CLONE = join(ROOT, 'target', 'bench', 'dawn');
const SITE = join(ROOT, 'target', 'bench', 'store-site');
const ASSETS = '/cdn/shop/t/2/assets/';

// Dawn's files the page loads, as theme.liquid and the sections name them.
const HEAD_CSS = ['base.css', 'component-cart-items.css', 'component-cart-drawer.css', 'component-cart.css', 'component-totals.css', 'component-price.css', 'component-discounts.css', 'component-localization-form.css', 'component-predictive-search.css'];
const HEADER_CSS = ['component-list-menu.css', 'component-search.css', 'component-menu-drawer.css', 'component-cart-notification.css', 'component-mega-menu.css'];
const PRODUCT_CSS = ['section-main-product.css', 'component-accordion.css', 'component-slider.css', 'component-rating.css', 'component-deferred-media.css', 'component-product-variant-picker.css', 'component-swatch-input.css', 'component-swatch.css', 'component-volume-pricing.css', 'component-card.css', 'quick-add.css'];
const FOOTER_CSS = ['section-footer.css', 'component-newsletter.css', 'component-list-payment.css', 'component-list-social.css', 'quantity-popover.css'];
const HEAD_JS = ['constants.js', 'pubsub.js', 'global.js', 'details-disclosure.js', 'details-modal.js', 'search-form.js', 'animations.js', 'localization-form.js'];
const BODY_JS = ['cart-notification.js', 'product-info.js', 'product-form.js', 'show-more.js', 'price-per-item.js', 'product-modal.js', 'media-gallery.js', 'quick-add.js', 'share.js', 'pickup-availability.js', 'cart.js', 'quantity-popover.js', 'predictive-search.js', 'cart-drawer.js'];

/** A reader of Dawn's files, or null: `{ read(path), where }`. */
function dawnSource() {
  const given = process.env.BENCH_DAWN;
  const candidates = given ? [given] : [CLONE];
  if (!given && !existsSync(CLONE)) {
    try {
      execFileSync('git', ['clone', '--quiet', '--depth', '1', 'https://github.com/Shopify/dawn', CLONE], { stdio: 'ignore', timeout: 60000 });
    } catch (_) {
      rmSync(CLONE, { recursive: true, force: true });
      return null;
    }
  }
  for (const dir of candidates) {
    if (existsSync(join(dir, 'assets', 'global.js'))) {
      const commit = (() => { try { return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch (_) { return 'unknown commit'; } })();
      return { read: (path) => readFileSync(join(dir, path), 'utf8'), where: `${dir} (${commit})` };
    }
    try {
      const commit = execFileSync('git', ['--git-dir', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      return { read: (path) => execFileSync('git', ['--git-dir', dir, 'show', `HEAD:${path}`], { encoding: 'utf8', maxBuffer: 1 << 26 }), where: `${dir} (${commit})` };
    } catch (_) { /* not a git directory */ }
  }
  if (given) throw new Error(`BENCH_DAWN=${given}: neither a Dawn checkout (assets/global.js) nor a git directory of one`);
  return null;
}

const card = (i) => `
<li class="grid__item scroll-trigger animate--slide-in" data-cascade style="--animation-order: ${i + 1};">
  <div class="card-wrapper product-card-wrapper underline-links-hover">
    <div class="card card--standard card--media" style="--ratio-percent: 125%;">
      <div class="card__inner color-scheme-2 gradient ratio" style="--ratio-percent: 125%;">
        <div class="card__media"><div class="media media--transparent media--hover-effect">
          <img src="${ASSETS}icon-${['apple', 'banana', 'bottle', 'box'][i % 4]}.svg" alt="Related product ${i + 1}" class="motion-reduce" loading="lazy" width="533" height="666">
        </div></div>
        <div class="card__content"><div class="card__badge bottom left"></div></div>
      </div>
      <div class="card__content">
        <div class="card__information">
          <h3 class="card__heading h5" id="title-related-${i}"><a href="/products/related-${i}" class="full-unstyled-link">Related product ${i + 1}</a></h3>
          <div class="card-information"><span class="caption-large light"></span>
            <div class="price"><div class="price__container"><div class="price__regular"><span class="visually-hidden">Regular price</span><span class="price-item price-item--regular">$${(20 + i * 5).toFixed(2)} USD</span></div></div></div>
          </div>
        </div>
        <div class="quick-add no-js-hidden">
          <modal-opener data-modal="#QuickAdd-${i}"><button id="quick-add-${i}-submit" type="submit" name="add" class="quick-add__submit button button--full-width button--secondary" aria-haspopup="dialog" data-product-url="/products/related-${i}">Choose options</button></modal-opener>
        </div>
        <quick-add-modal id="QuickAdd-${i}" class="quick-add-modal"><div role="dialog" aria-modal="true" class="quick-add-modal__content global-settings-popup" tabindex="-1">
          <button id="ModalClose-${i}" type="button" class="quick-add-modal__toggle" aria-label="Close">×</button>
          <div id="QuickAddInfo-${i}" class="quick-add-modal__content-info"></div></div></quick-add-modal>
      </div>
    </div>
  </div>
</li>`;

const variants = ['XS', 'S', 'M', 'L', 'XL'].flatMap((size, s) => ['Blue', 'Black', 'White'].map((color, c) => ({ id: 4400 + s * 3 + c, title: `${color} / ${size}`, option1: color, option2: size, available: true, price: 3000, sku: `tee-${color.toLowerCase()}-${size.toLowerCase()}` })));

const html = () => `<!doctype html>
<html class="js" lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Classic Tee – Dawn Store</title>
${HEAD_JS.map((f) => `<script src="${ASSETS}${f}" defer="defer"></script>`).join('\n')}
<script src="/demo/config.js"></script>
<script src="/cdn/shop/t/1/assets/pixel-base.js"></script>
<script src="/cdn/shop/t/1/assets/shopify.js"></script>
<script src="/cdn/shop/t/1/assets/theme.js" defer></script>
<style>:root { --font-body-family: Assistant, sans-serif; --font-heading-family: Assistant, sans-serif; --color-base-text: 18, 18, 18; --color-base-background-1: 255, 255, 255; --page-width: 120rem; --spacing-sections-desktop: 0px; --grid-desktop-horizontal-spacing: 8px; --media-radius: 0px; --buttons-radius: 0px; }</style>
${HEAD_CSS.map((f) => `<link rel="stylesheet" href="${ASSETS}${f}">`).join('\n')}
</head>
<body class="gradient animate--hover-default" data-page="product">
<a class="skip-to-content-link button visually-hidden" href="#MainContent">Skip to content</a>
<cart-drawer class="drawer is-empty"><div id="CartDrawer" class="cart-drawer"><div id="CartDrawer-Overlay" class="cart-drawer__overlay"></div>
  <div class="drawer__inner" role="dialog" aria-modal="true" aria-label="Your cart" tabindex="-1"><div class="drawer__inner-empty"><div class="cart-drawer__warnings center"><div class="cart-drawer__empty-content"><h2 class="cart__empty-text">Your cart is empty</h2><button class="drawer__close" type="button" onclick="this.closest('cart-drawer').close()" aria-label="Close">×</button><a href="/collections/all" class="button">Continue shopping</a></div></div></div>
  <div class="drawer__header"><h2 class="drawer__heading">Your cart</h2><button class="drawer__close" type="button" onclick="this.closest('cart-drawer').close()" aria-label="Close">×</button></div>
  <cart-drawer-items class="is-empty"><form action="/cart" id="CartDrawer-Form" class="cart__contents cart-drawer__form" method="post"><div id="CartDrawer-CartItems" class="drawer__contents js-contents"><p id="CartDrawer-LiveRegionText" class="visually-hidden" role="status"></p><p id="CartDrawer-LineItemStatus" class="visually-hidden" aria-hidden="true" role="status">Loading...</p></div><div id="CartDrawer-CartErrors" role="alert"></div></form></cart-drawer-items>
  <div class="drawer__footer"><div class="cart-drawer__footer"><div class="totals" role="status"><h2 class="totals__total">Estimated total</h2><p class="totals__total-value">$0.00 USD</p></div></div><div class="cart__ctas"><button type="submit" id="CartDrawer-Checkout" class="cart__checkout-button button" name="checkout" form="CartDrawer-Form" disabled>Check out</button></div></div></div></div></cart-drawer>
${HEADER_CSS.map((f) => `<link rel="stylesheet" href="${ASSETS}${f}" media="print" onload="this.media='all'">`).join('\n')}
<div class="section-header"><sticky-header data-sticky-type="on-scroll-up" class="header-wrapper color-scheme-1 gradient header-wrapper--border-bottom">
<header class="header header--middle-left header--mobile-center page-width header--has-menu header--has-account">
  <header-drawer data-breakpoint="tablet"><details id="Details-menu-drawer-container" class="menu-drawer-container"><summary class="header__icon header__icon--menu header__icon--summary link focus-inset" aria-label="Menu"><span>☰</span></summary>
    <div id="menu-drawer" class="gradient menu-drawer motion-reduce color-scheme-1"><div class="menu-drawer__inner-container"><div class="menu-drawer__navigation-container"><nav class="menu-drawer__navigation"><ul class="menu-drawer__menu has-submenu list-menu" role="list">
      ${['Home', 'Catalog', 'Contact', 'New in', 'Sale'].map((m) => `<li><a id="HeaderDrawer-${m.toLowerCase().replace(' ', '-')}" href="/collections/${m.toLowerCase().replace(' ', '-')}" class="menu-drawer__menu-item list-menu__item link link--text focus-inset">${m}</a></li>`).join('')}
    </ul></nav></div></div></div></details></header-drawer>
  <h1 class="header__heading"><a href="/" class="header__heading-link link link--text focus-inset"><span class="h2">Dawn Store</span></a></h1>
  <nav class="header__inline-menu"><ul class="list-menu list-menu--inline" role="list">
    ${['Home', 'Catalog', 'Contact'].map((m) => `<li><a href="/${m.toLowerCase()}" class="header__menu-item list-menu__item link link--text focus-inset"><span>${m}</span></a></li>`).join('')}
  </ul></nav>
  <div class="header__icons"><div class="desktop-localization-wrapper"></div>
    <details-modal class="header__search"><details><summary class="header__icon header__icon--search header__icon--summary link focus-inset modal__toggle" aria-haspopup="dialog" aria-label="Search"><span>🔍</span></summary>
      <div class="search-modal modal__content gradient" role="dialog" aria-modal="true" aria-label="Search"><div class="modal-overlay"></div><div class="search-modal__content search-modal__content-bottom" tabindex="-1">
        <predictive-search class="search-modal__form" data-loading-text="Loading..."><form action="/search" method="get" role="search" class="search search-modal__form"><div class="field"><input class="search__input field__input" id="Search-In-Modal" type="search" name="q" value="" placeholder="Search" role="combobox" aria-expanded="false" aria-owns="predictive-search-results" aria-controls="predictive-search-results" aria-haspopup="listbox" aria-autocomplete="list" autocorrect="off" autocomplete="off" autocapitalize="off" spellcheck="false"><label class="field__label" for="Search-In-Modal">Search</label><input type="hidden" name="options[prefix]" value="last"><button type="reset" class="reset__button field__button hidden" aria-label="Clear search term">×</button><button class="search__button field__button" aria-label="Search">🔍</button></div><div class="predictive-search predictive-search--header" tabindex="-1" data-predictive-search><div class="predictive-search__loading-state"></div></div><span class="predictive-search-status visually-hidden" role="status" aria-hidden="true"></span></form></predictive-search>
        <button type="button" class="search-modal__close-button modal__close-button link link--text focus-inset" aria-label="Close">×</button></div></div></details></details-modal>
    <a href="/account/login" class="header__icon header__icon--account link focus-inset small-hide"><span class="visually-hidden">Log in</span></a>
    <a href="/cart" class="header__icon header__icon--cart link focus-inset" id="cart-icon-bubble"><span class="visually-hidden">Cart</span></a>
  </div>
</header></sticky-header></div>
<cart-notification><div class="cart-notification-wrapper page-width"><div id="cart-notification" class="cart-notification focus-inset color-scheme-1 gradient" aria-modal="true" aria-label="Item added to your cart" role="dialog" tabindex="-1">
  <div class="cart-notification__header"><h2 class="cart-notification__heading caption-large text-body">Item added to your cart</h2><button type="button" class="cart-notification__close modal__close-button link link--text focus-inset" aria-label="Close">×</button></div>
  <div id="cart-notification-product" class="cart-notification-product"></div><div class="cart-notification__links"><a href="/cart" id="cart-notification-button" class="button button--secondary button--full-width"></a></div></div></div></cart-notification>
<main id="MainContent" class="content-for-layout focus-none" role="main" tabindex="-1">
<section id="shopify-section-template--main" class="shopify-section section">
${PRODUCT_CSS.map((f) => `<link rel="stylesheet" href="${ASSETS}${f}">`).join('\n')}
<product-info id="MainProduct-template--main" class="section-template--main-padding gradient color-scheme-1" data-section="template--main" data-product-id="8800" data-update-url="true" data-url="/products/classic-tee">
<div class="page-width"><div class="product product--large product--left product--thumbnail_slider product--mobile-hide grid grid--1-col grid--2-col-tablet">
  <div class="grid__item product__media-wrapper">
    <media-gallery id="MediaGallery-template--main" role="region" class="product__column-sticky" aria-label="Gallery Viewer" data-desktop-layout="thumbnail_slider">
      <div id="GalleryStatus-template--main" class="visually-hidden" role="status"></div>
      <slider-component id="GalleryViewer-template--main" class="slider-mobile-gutter"><ul id="Slider-Gallery-template--main" class="product__media-list contains-media grid grid--peek list-unstyled slider slider--mobile" role="list">
        ${[0, 1, 2, 3, 4, 5].map((k) => `<li id="Slide-template--main-${k}" class="product__media-item grid__item slider__slide${k === 0 ? ' is-active' : ''}" data-media-id="template--main-${k}"><div class="product-media-container media-type-image media-fit-contain global-media-settings gradient constrain-height" style="--ratio: 1.0; --preview-ratio: 1.0;"><modal-opener class="product__modal-opener product__modal-opener--image no-js-hidden" data-modal="#ProductModal-template--main"><span class="product__media-icon motion-reduce quick-add-hidden product__media-icon--lightbox" aria-hidden="true">⤢</span><div class="product__media media media--transparent"><img src="${ASSETS}icon-${['apple', 'banana', 'bottle', 'box', 'carrot', 'heart'][k]}.svg" alt="Classic Tee, view ${k + 1}" width="1946" height="1946" ${k ? 'loading="lazy"' : ''}></div><button class="product__media-toggle quick-add-hidden product__media-zoom-lightbox" type="button" aria-haspopup="dialog" data-media-id="${k}"><span class="visually-hidden">Open media ${k + 1} in modal</span></button></modal-opener></div></li>`).join('\n')}
      </ul><div class="slider-buttons quick-add-hidden small-hide"><button type="button" class="slider-button slider-button--prev" name="previous" aria-label="Slide left">‹</button><div class="slider-counter caption"><span class="slider-counter--current">1</span><span aria-hidden="true"> / </span><span class="slider-counter--total">6</span></div><button type="button" class="slider-button slider-button--next" name="next" aria-label="Slide right">›</button></div></slider-component>
      <slider-component id="GalleryThumbnails-template--main" class="thumbnail-slider slider-mobile-gutter quick-add-hidden small-hide"><ul id="Slider-Thumbnails-template--main" class="thumbnail-list list-unstyled slider slider--mobile slider--tablet-up" role="list">
        ${[0, 1, 2, 3, 4, 5].map((k) => `<li id="Slide-Thumbnails-template--main-${k}" class="thumbnail-list__item slider__slide" data-target="template--main-${k}" data-media-position="${k + 1}"><button class="thumbnail global-media-settings global-media-settings--no-shadow" aria-label="Load image ${k + 1} in gallery view" ${k === 0 ? 'aria-current="true"' : ''} aria-controls="GalleryViewer-template--main" aria-describedby="Thumbnail-template--main-${k}"><img id="Thumbnail-template--main-${k}" src="${ASSETS}icon-${['apple', 'banana', 'bottle', 'box', 'carrot', 'heart'][k]}.svg" alt="" width="416" height="416" loading="lazy"></button></li>`).join('\n')}
      </ul></slider-component>
    </media-gallery>
  </div>
  <div class="product__info-wrapper grid__item scroll-trigger animate--slide-in"><section id="ProductInfo-template--main" class="product__info-container product__column-sticky">
    <p class="product__text inline-richtext caption-with-letter-spacing">Dawn Store</p>
    <div class="product__title"><h1>Classic Tee</h1></div>
    <p class="product__text inline-richtext subtitle">Organic cotton, relaxed fit</p>
    <div class="no-js-hidden" id="price-template--main" role="status"><div class="price price--large price--show-badge"><div class="price__container"><div class="price__regular"><span class="visually-hidden visually-hidden--inline">Regular price</span><span class="price-item price-item--regular">$30.00 USD</span></div></div></div></div>
    <div class="product__tax caption rte">Tax included. <a href="/policies/shipping-policy">Shipping</a> calculated at checkout.</div>
    <variant-selects id="variant-selects-template--main" data-section="template--main">
      ${[['Color', ['Blue', 'Black', 'White']], ['Size', ['XS', 'S', 'M', 'L', 'XL']]].map(([name, values], o) => `<fieldset class="js product-form__input product-form__input--pill"><legend class="form__label">${name}</legend>${values.map((v, k) => `<input type="radio" id="template--main-${o + 1}-${k}" name="${name}-${o + 1}" value="${v}" form="product-form-template--main" ${k === 0 ? 'checked' : ''} data-product-url="" data-option-value-id="${o * 10 + k}"><label for="template--main-${o + 1}-${k}">${v}<span class="visually-hidden label-unavailable">Variant sold out or unavailable</span></label>`).join('')}</fieldset>`).join('\n')}
      <script type="application/json" data-selected-variant>${JSON.stringify(variants[6])}</script>
    </variant-selects>
    <div class="product-form__input product-form__quantity" id="Quantity-Form-template--main"><label class="quantity__label form__label" for="Quantity-template--main">Quantity <span class="quantity__rules-cart no-js-hidden hidden">(0 in cart)</span></label>
      <div class="price-per-item__container"><quantity-input class="quantity" data-url="/products/classic-tee" data-section="template--main"><button class="quantity__button" name="minus" type="button">−</button><input class="quantity__input" type="number" name="quantity" id="qty" data-cart-quantity="0" data-min="1" min="1" step="1" value="2" form="product-form-template--main"><button class="quantity__button" name="plus" type="button">+</button></quantity-input></div>
      <div class="quantity__rules caption no-js-hidden" id="Quantity-Rules-template--main"></div></div>
    <div><product-form class="product-form" data-hide-errors="false" data-section-id="template--main"><div class="product-form__error-message-wrapper" role="alert" hidden><span class="product-form__error-message"></span></div>
      <form method="post" action="/cart/add" id="product-form-template--main" accept-charset="UTF-8" class="form" enctype="multipart/form-data" novalidate="novalidate" data-type="add-to-cart-form"><input type="hidden" name="form_type" value="product"><input type="hidden" name="utf8" value="✓"><input type="hidden" name="id" value="${variants[6].id}" class="product-variant-id">
        <div class="product-form__buttons"><button id="add-to-cart" type="submit" name="add" class="product-form__submit button button--full-width button--secondary"><span>Add to cart</span><div class="loading__spinner hidden"></div></button><div data-shopify="payment-button" class="shopify-payment-button"></div></div></form></product-form></div>
    <div class="product__description rte quick-add-hidden"><p>A heavyweight tee cut from organic cotton. Pre-washed for a soft hand and minimal shrinkage.</p><ul><li>100% organic cotton</li><li>Relaxed fit</li><li>Made in Portugal</li></ul></div>
    <share-button id="Share-template--main" class="share-button quick-add-hidden"><button class="share-button__button hidden"><span>Share</span></button><details id="Details-share-template--main"><summary class="share-button__button">Share</summary><div class="share-button__fallback motion-reduce"><div class="field"><span id="ShareMessage-template--main" class="share-button__message hidden" role="status"></span><input type="text" class="field__input" id="ShareUrl-template--main" value="https://shop.test/products/classic-tee" placeholder="Link" onclick="this.select();" readonly><label class="field__label" for="ShareUrl-template--main">Link</label></div><button class="share-button__close hidden no-js-hidden">×</button><button class="share-button__copy no-js-hidden">Copy link</button></div></details></share-button>
    ${['Materials', 'Shipping & Returns', 'Dimensions', 'Care Instructions'].map((h, k) => `<div class="product__accordion accordion quick-add-hidden"><details id="Details-collapsible-row-${k}-template--main"><summary><div class="summary__title"><h2 class="h4 accordion__title inline-richtext">${h}</h2></div></summary><div class="accordion__content rte" id="ProductAccordion-collapsible-row-${k}-template--main"><p>${h} for the Classic Tee: details as the merchant wrote them.</p></div></details></div>`).join('\n')}
  </section></div>
</div></div>
<product-modal id="ProductModal-template--main" class="product-media-modal media-modal"><div class="product-media-modal__dialog" role="dialog" aria-label="Media gallery" aria-modal="true" tabindex="-1"><button id="ModalClose-template--main" type="button" class="product-media-modal__toggle" aria-label="Close">×</button><div class="product-media-modal__content gradient" role="document" aria-label="Media gallery" tabindex="0"></div></div></product-modal>
<script type="application/json" id="ProductJSON-8800">${JSON.stringify({ id: 8800, title: 'Classic Tee', handle: 'classic-tee', variants, options: ['Color', 'Size'] })}</script>
</product-info>
</section>
<section class="shopify-section section"><div class="color-scheme-1 gradient"><product-recommendations class="related-products page-width section-template--related-padding isolate scroll-trigger animate--slide-in" data-url="/recommendations/products?section_id=template--related&product_id=8800&limit=8" data-section-id="template--related" data-product-id="8800">
  <h2 class="related-products__heading inline-richtext h2">You may also like</h2>
  <ul class="grid product-grid grid--4-col-desktop grid--2-col-tablet-down" role="list">${Array.from({ length: 8 }, (_, i) => card(i)).join('')}</ul>
</product-recommendations></div></section>
</main>
${FOOTER_CSS.map((f) => `<link rel="stylesheet" href="${ASSETS}${f}">`).join('\n')}
<footer class="footer color-scheme-1 gradient section-footer-padding"><div class="footer__content-top page-width"><div class="footer__blocks-wrapper grid grid--1-col grid--2-col grid--4-col-tablet">
  ${['Quick links', 'Info', 'Our mission'].map((h) => `<div class="footer-block grid__item footer-block--menu"><h2 class="footer-block__heading inline-richtext">${h}</h2><ul class="footer-block__details-content list-unstyled">${['Search', 'About', 'Shipping', 'Returns', 'Contact'].map((l) => `<li><a href="/pages/${l.toLowerCase()}" class="link link--text list-menu__item list-menu__item--link">${l}</a></li>`).join('')}</ul></div>`).join('')}
  </div><div class="footer-block--newsletter"><div class="footer-block__newsletter"><h2 class="footer-block__heading inline-richtext">Subscribe to our emails</h2><form method="post" action="/contact#ContactFooter" id="ContactFooter" accept-charset="UTF-8" class="footer__newsletter newsletter-form"><input type="hidden" name="form_type" value="customer"><div class="newsletter-form__field-wrapper"><div class="field"><input id="NewsletterForm--footer" type="email" name="contact[email]" class="field__input" value="" aria-required="true" autocorrect="off" autocapitalize="off" autocomplete="email" placeholder="Email" required><label class="field__label" for="NewsletterForm--footer">Email</label><button type="submit" class="newsletter-form__button field__button" name="commit" id="Subscribe" aria-label="Subscribe">→</button></div></div></form></div></div></div>
  <div class="footer__content-bottom"><div class="footer__content-bottom-wrapper page-width"><div class="footer__column footer__localization isolate">
    <localization-form><form method="post" action="/localization" id="FooterCountryForm" accept-charset="UTF-8" class="localization-form" enctype="multipart/form-data"><div><h2 class="caption-large text-body" id="FooterCountryLabel">Country/region</h2><div class="disclosure"><button type="button" class="disclosure__button localization-form__select localization-selector link link--text caption-large" aria-expanded="false" aria-controls="FooterCountryList" aria-describedby="FooterCountryLabel"><span>United States | USD $</span></button>
      <div class="disclosure__list-wrapper country-selector" hidden><div class="country-filter"><div class="field"><input class="country-filter__input" id="country-filter-input" type="search" name="country_filter" value="" placeholder="Search" role="combobox" aria-owns="country-results" aria-controls="country-results" aria-haspopup="listbox" aria-autocomplete="list" autocorrect="off" autocomplete="off" autocapitalize="off" spellcheck="false"><label class="field__label" for="country-filter-input">Search</label><button type="reset" class="country-filter__reset-button field__button hidden" aria-label="Clear search term">×</button><div class="country-filter__search-icon field__button motion-reduce">🔍</div></div></div><div id="sr-country-search-results" class="visually-hidden" aria-live="polite"></div>
      <ul role="list" class="list-unstyled countries">${['Australia', 'Canada', 'France', 'Germany', 'Japan', 'United Kingdom', 'United States'].map((c, k) => `<li class="disclosure__item" tabindex="-1"><a class="link link--text disclosure__link caption-large focus-inset" href="#" ${k === 6 ? 'aria-current="true"' : ''} data-value="${c.slice(0, 2).toUpperCase()}" id="${c}"><span class="country">${c}</span><span class="localization-form__currency motion-reduce">USD $</span></a></li>`).join('')}</ul></div></div><input type="hidden" name="country_code" value="US"></div></form></localization-form>
  </div><div class="footer__copyright caption"><small class="copyright__content">© 2026, Dawn Store</small></div></div></div>
</footer>
<ul hidden><li id="a11y-refresh-page-message">Choosing a selection results in a full page refresh.</li><li id="a11y-new-window-message">Opens in a new window.</li></ul>
<script>
  window.shopUrl = 'https://shop.test';
  window.routes = { cart_add_url: '/cart/add', cart_change_url: '/cart/change', cart_update_url: '/cart/update', cart_url: '/cart', predictive_search_url: '/search/suggest' };
  window.cartStrings = { error: 'There was an error while updating your cart. Please try again.', quantityError: 'You can only add [quantity] of this item to your cart.' };
  window.variantStrings = { addToCart: 'Add to cart', soldOut: 'Sold out', unavailable: 'Unavailable', unavailable_with_option: '[value] - Unavailable' };
  window.quickOrderListStrings = { itemsAdded: '[quantity] items added', itemAdded: '[quantity] item added', itemsRemoved: '[quantity] items removed', itemRemoved: '[quantity] item removed', viewCart: 'View cart', each: '[money]/ea', min_error: 'This item has a minimum of [min]', max_error: 'This item has a maximum of [max]', step_error: 'You can only add this item in increments of [step]' };
  window.accessibilityStrings = { imageAvailable: 'Image [index] is now available in gallery view', shareSuccess: 'Link copied to clipboard', pauseSlideshow: 'Pause slideshow', playSlideshow: 'Play slideshow', recipientFormExpanded: 'Gift card recipient form expanded', recipientFormCollapsed: 'Gift card recipient form collapsed', countrySelectorSearchCount: '[count] countries/regions found' };
</script>
${BODY_JS.map((f) => `<script src="${ASSETS}${f}" defer="defer"></script>`).join('\n')}
<script src="/cdn/shop/t/1/assets/web-pixels.js"></script>
</body>
</html>
`;

/**
 * Writes the store-like site (the demo store's pages and scripts, and the Dawn
 * product page with Dawn's assets) under target/bench/store-site: `{ siteRoot,
 * path, label }`, or `{ skipped }` saying why there is no page.
 */
export function storePage() {
  const dawn = dawnSource();
  if (!dawn) return { skipped: 'no Dawn checkout (set BENCH_DAWN to a checkout of https://github.com/Shopify/dawn, or let git reach GitHub): the store-like page was not measured' };
  rmSync(SITE, { recursive: true, force: true });
  cpSync(join(ROOT, 'demo', 'store'), SITE, { recursive: true });
  const assets = join(SITE, ...ASSETS.split('/').filter(Boolean));
  mkdirSync(assets, { recursive: true });
  let bytes = 0;
  const files = [...HEAD_CSS, ...HEADER_CSS, ...PRODUCT_CSS, ...FOOTER_CSS, ...HEAD_JS, ...BODY_JS];
  for (const f of new Set(files)) {
    const text = dawn.read(`assets/${f}`);
    bytes += Buffer.byteLength(text);
    writeFileSync(join(assets, f), text);
  }
  for (const icon of ['apple', 'banana', 'bottle', 'box', 'carrot', 'heart']) writeFileSync(join(assets, `icon-${icon}.svg`), dawn.read(`assets/icon-${icon}.svg`));
  const page = html();
  writeFileSync(join(SITE, 'products', 'dawn.html'), page);
  return { siteRoot: SITE, path: '/products/dawn', themeBytes: bytes + Buffer.byteLength(page), source: `Dawn from ${dawn.where}` };
}
