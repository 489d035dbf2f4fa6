//! Data that changes outside our control, kept in one place.
//!
//! Meta's event and currency lists, Shopify's sandbox URL shapes, agent names and
//! order-page URL shapes all move when those companies ship. Each lives here as a
//! plain table so an update is a one-line diff with no logic around it.

/// The four events the acceptance table is about, in funnel order.
pub const CORE_EVENTS: [&str; 4] = ["ViewContent", "AddToCart", "InitiateCheckout", "Purchase"];

/// Meta's standard events (Pixel reference, "Standard events").
pub const STANDARD_EVENTS: &[&str] = &[
    "PageView",
    "AddPaymentInfo",
    "AddToCart",
    "AddToWishlist",
    "CompleteRegistration",
    "Contact",
    "CustomizeProduct",
    "Donate",
    "FindLocation",
    "InitiateCheckout",
    "Lead",
    "Purchase",
    "Schedule",
    "Search",
    "StartTrial",
    "SubmitApplication",
    "Subscribe",
    "ViewContent",
];

/// Events fbevents sends by itself (automatic events, microdata, button clicks).
/// Normal traffic: shown in the timeline, never a finding.
pub const AUTOMATIC_EVENTS: &[&str] = &["Microdata", "SubscribedButtonClick", "PageLeave", "InputData"];

/// Currencies Meta accepts (Marketing API "Currency codes": the ad-account
/// currencies). An ISO 4217 code outside this list is still `invalid_currency`.
pub const META_CURRENCIES: &[&str] = &[
    "AED", "ARS", "AUD", "BDT", "BGN", "BHD", "BOB", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CRC", "CZK", "DKK",
    "DZD", "EGP", "EUR", "GBP", "GTQ", "HKD", "HNL", "HRK", "HUF", "IDR", "ILS", "INR", "ISK", "JOD", "JPY", "KES",
    "KRW", "LTL", "LVL", "MOP", "MXN", "MYR", "NGN", "NIO", "NOK", "NZD", "PEN", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "SAR", "SEK", "SGD", "SKK", "THB", "TRY", "TWD", "UAH", "USD", "UYU", "VEF", "VND", "ZAR",
];

/// `ud[…]` keys Meta expects SHA-256-hashed (lower-case hex). `external_id` is
/// recommended hashed but accepted plain, and `fbp`/`fbc`/`client_ip_address`/
/// `client_user_agent` are never hashed, so they are not listed.
pub const HASHED_USER_DATA_KEYS: &[&str] = &["em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country"];

/// `user_data` keys Meta takes as they are (Conversions API, "Customer
/// information parameters": "Do not hash"). A hash there matches nobody.
pub const PLAIN_USER_DATA_KEYS: &[&str] = &["client_ip_address", "client_user_agent", "fbp", "fbc"];

/// Request fields Meta documents as credentials: the Graph API access token a
/// Conversions API request is sent with (Conversions API, "Using the API":
/// `access_token`), the proof of the app secret that may ride with it and the
/// app secret itself (Graph API, "Secure Requests":
/// https://developers.facebook.com/docs/graph-api/guides/secure-requests).
/// Removed from anything stored or exported; the packet says they were.
pub const CREDENTIAL_FIELDS: &[&str] = &["access_token", "appsecret_proof", "client_secret"];
/// Every `user_data` key Meta matches on (Conversions API, "Customer
/// information parameters"); anything else in `user_data` is not a match key.
pub const MATCH_KEYS: &[&str] = &[
    "em",
    "ph",
    "fn",
    "ln",
    "ge",
    "db",
    "ct",
    "st",
    "zp",
    "country",
    "external_id",
    "client_ip_address",
    "client_user_agent",
    "fbc",
    "fbp",
    "subscription_id",
    "fb_login_id",
    "lead_id",
    "anon_id",
    "madid",
    "page_id",
    "page_scoped_user_id",
    "ctwa_clid",
    "ig_account_id",
    "ig_sid",
];

/// Combinations of `user_data` keys Meta calls invalid since Graph API v13.0
/// (Conversions API best practices, "Baseline requirements for matching"): an
/// event whose keys all fall in one of them cannot be matched.
pub const INVALID_MATCH_KEY_SETS: &[&[&str]] = &[
    &["ct", "country", "st", "zp", "ge", "client_user_agent"],
    &["db", "client_user_agent"],
    &["fn", "ge"],
    &["ln", "ge"],
];

/// Meta's published priority of the customer-information parameters
/// (Conversions API best practices, "Send required and recommended
/// parameters"), highest first and in Meta's order within a level. Keys Meta
/// gives no priority (st, ge, the app and messaging ids) are not listed.
pub const MATCH_KEY_PRIORITIES: &[(&str, &str)] = &[
    ("em", "high"),
    ("fbc", "high"),
    ("ph", "medium"),
    ("external_id", "medium"),
    ("fbp", "medium"),
    ("country", "medium"),
    ("db", "medium"),
    ("fn", "low"),
    ("ln", "low"),
    ("ct", "low"),
    ("zp", "low"),
    // Sent by the browser with every pixel request; the server must pass
    // them on for every website event.
    ("client_ip_address", "every event"),
    ("client_user_agent", "every event"),
];

/// Data processing options Meta accepts (Data Processing Options for US
/// Users): none, or Limited Data Use; with it, country 0 (Meta geolocates) or
/// 1 (the US), and state 0 (Meta geolocates) or one of Meta's state codes.
pub const DPO_COUNTRIES: &[i64] = &[0, 1];
pub const DPO_STATES: std::ops::RangeInclusive<i64> = 1000..=1013;

/// `action_source` values the Conversions API accepts (Server Event
/// Parameters, "action_source").
pub const ACTION_SOURCES: &[&str] = &[
    "website",
    "app",
    "email",
    "phone_call",
    "chat",
    "physical_store",
    "system_generated",
    "business_messaging",
    "other",
];

/// Hosts that serve the pixel endpoint `/tr`.
pub const PIXEL_HOSTS: &[&str] = &["www.facebook.com", "facebook.com", "www.instagram.com"];

/// Regional tiers look like `www.<tier>.facebook.com` (e.g. `www.eu.facebook.com`).
pub const REGIONAL_HOST_SUFFIX: &str = ".facebook.com";

/// Meta's script host: fbevents.js, the signals config and its plugins.
pub const SCRIPT_HOST: &str = "connect.facebook.net";

/// What the extension asks `webRequest` for (WebExtension match patterns): the
/// pixel endpoints above, the privacy-sandbox copies, and the script host. The
/// manifest's host permissions must cover each (a unit test checks it).
pub const WEB_REQUEST_URLS: &[&str] = &[
    "https://www.facebook.com/tr*",
    "https://*.facebook.com/tr*",
    "https://www.facebook.com/privacy_sandbox/*",
    "https://www.instagram.com/tr*",
    "https://connect.facebook.net/*",
];

/// Whether a host is one of Meta's (pixel endpoints, regional tiers, the
/// script host): the extension's own host permissions, never a store's.
pub fn is_meta_host(host: &str) -> bool {
    PIXEL_HOSTS.contains(&host) || host == SCRIPT_HOST || host.ends_with(REGIONAL_HOST_SUFFIX)
}

/// URL path fragments of tracking scripts worth an inventory line. `(needle, label)`.
pub const TRACKING_SCRIPTS: &[(&str, &str)] = &[
    ("/signals/config/", "signals_config"),
    ("/signals/plugins/", "signals_plugin"),
    ("/fbevents.js", "fbevents"),
    ("/fbevents.", "fbevents"),
    ("googletagmanager.com/gtm.js", "gtm"),
    ("/gtm.js", "gtm"),
    ("googletagmanager.com/gtag/js", "gtag"),
    ("/web-pixels-manager", "shopify_web_pixels"),
    ("/wpm@", "shopify_web_pixels"),
    ("/trekkie.", "shopify_trekkie"),
];

/// Shopify's Web Pixels sandbox URLs. Custom pixels (Settings → Customer events)
/// run in a sandboxed iframe whose path has `/custom/`; app pixels (e.g. the
/// Facebook & Instagram app) run in a worker under `/app/`. `(needle, sender)`;
/// first match wins.
pub const SHOPIFY_SANDBOX_PATTERNS: &[(&str, &str)] = &[
    ("/custom/web-pixel-", "shopify_custom_pixel"),
    ("/app/web-pixel-", "shopify_app_pixel"),
    ("/web-pixel-", "shopify_app_pixel"),
    ("web-pixels-manager-sandbox", "shopify_custom_pixel"),
];

/// The pixel's `a` (agent) parameter, by prefix. `(prefix, sender)`.
pub const AGENTS: &[(&str, &str)] = &[
    ("tmgoogletagmanager", "gtm"),
    ("tmSimo-GTM", "gtm"),
    ("gtm", "gtm"),
    ("plshopify", "shopify_app_pixel"),
    ("stape", "gateway"),
    ("capig", "gateway"),
];

/// Scripts on a stack that mean Google Tag Manager sent it.
pub const GTM_SCRIPT_NEEDLES: &[&str] = &["googletagmanager.com/gtm.js", "/gtm.js?id="];

/// Hosts that belong to the store for sender purposes (theme assets on Shopify's CDN).
pub const STORE_CDN_HOSTS: &[&str] = &["cdn.shopify.com", "cdn.shopifycdn.net"];

/// What Shopify's storefront script loader (`asyncLoad` in
/// `content_for_header`) adds to every ScriptTag `src`: `?shop=` and the
/// shop's permanent domain (see `sender::is_script_tag_url`).
pub const SCRIPT_TAG_SHOP_PARAM: &str = "shop";
pub const SHOP_DOMAIN_SUFFIX: &str = ".myshopify.com";
/// Where Shopify's CDN serves theme app extensions (app embed blocks, which
/// replace script tags): `cdn.shopify.com/extensions/<id>/<name>/assets/…`.
pub const APP_EMBED_PATH: &str = "/extensions/";

/// The path segment of the order confirmation page inside a checkout:
/// `/checkouts/c/<token>/thank-you` (checkout extensibility) and
/// `/<shop id>/checkouts/<token>/thank_you` (the checkout before it).
pub const THANK_YOU_SEGMENTS: &[&str] = &["thank-you", "thank_you", "thankyou"];

/// The path segment of a checkout's post-purchase offer page, shown after the
/// order is confirmed and before the thank-you page:
/// `/<shop id>/checkouts/<token>/post_purchase` (shopify.dev, post-purchase
/// extensions), and the hyphenated form of checkout extensibility's paths.
pub const POST_PURCHASE_SEGMENTS: &[&str] = &["post_purchase", "post-purchase"];

/// What every pattern of [`SHOPIFY_SANDBOX_PATTERNS`] contains, `web-pixel`, as the text before and
/// after its hyphen: most URLs asked about (each hit's document, initiator
/// and `dl`) are store pages, and one search for this settles them instead
/// of one per pattern.
const SHOPIFY_SANDBOX_COMMON: (&str, &str) = ("web", "pixel");

/// Whether `url` contains [`SHOPIFY_SANDBOX_COMMON`], found from its hyphens:
/// a store URL has a few, and a substring search (asked three or four times
/// per hit) spent more setting itself up for the needle than searching.
fn has_sandbox_common(url: &str) -> bool {
    let (before, after) = (SHOPIFY_SANDBOX_COMMON.0.as_bytes(), SHOPIFY_SANDBOX_COMMON.1.as_bytes());
    let url = url.as_bytes();
    memchr::memchr_iter(b'-', url)
        .any(|i| i >= before.len() && &url[i - before.len()..i] == before && url[i + 1..].starts_with(after))
}

/// Returns the sender label for a Shopify sandbox URL, if it is one.
pub fn shopify_sandbox_sender(url: &str) -> Option<&'static str> {
    if !has_sandbox_common(url) {
        return None;
    }
    SHOPIFY_SANDBOX_PATTERNS
        .iter()
        .find(|(needle, _)| url.contains(needle))
        .map(|(_, s)| *s)
}

/// Returns the sender label for a pixel agent (`a=`), if it is known.
pub fn agent_sender(agent: &str) -> Option<&'static str> {
    AGENTS
        .iter()
        .find(|(prefix, _)| agent.starts_with(prefix))
        .map(|(_, s)| *s)
}

/// Returns the tracking-script label for a URL, if it is one we inventory.
pub fn tracking_script_kind(url: &str) -> Option<&'static str> {
    // Pixel hits themselves are not scripts.
    if url.contains("facebook.com/tr") {
        return None;
    }
    TRACKING_SCRIPTS
        .iter()
        .find(|(needle, _)| url.contains(needle))
        .map(|(_, k)| *k)
}

pub fn is_standard_event(ev: &str) -> bool {
    STANDARD_EVENTS.contains(&ev)
}

pub fn is_automatic_event(ev: &str) -> bool {
    AUTOMATIC_EVENTS.contains(&ev)
}

pub fn is_core_event(ev: &str) -> bool {
    CORE_EVENTS.contains(&ev)
}

/// Position of a core event in the funnel.
pub fn core_rank(ev: &str) -> Option<usize> {
    CORE_EVENTS.iter().position(|c| *c == ev)
}

/// Characters that change how text around them reads without showing
/// themselves: the Unicode bidirectional controls (UAX #9: ALM, LRM, RLM, the
/// embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069) and the
/// invisible format characters (soft hyphen, combining grapheme joiner, the
/// Mongolian vowel separator, zero-width space and joiners, word joiner and
/// invisible operators, the byte-order mark, interlinear annotation marks and
/// the tag characters). The Markdown packet writes each as `[U+XXXX]`, so a
/// page's `U+202E` cannot make "USD differs from DSU" read "USD differs from USD".
pub const INVISIBLE_OR_BIDI: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{034F}', '\u{034F}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF9}', '\u{FFFB}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0000}', '\u{E007F}'),
];

/// Whether `c` is in [`INVISIBLE_OR_BIDI`].
pub fn is_invisible_or_bidi(c: char) -> bool {
    INVISIBLE_OR_BIDI.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

#[cfg(test)]
mod tests {
    fn sandbox_common() -> String {
        format!(
            "{}-{}",
            super::SHOPIFY_SANDBOX_COMMON.0,
            super::SHOPIFY_SANDBOX_COMMON.1
        )
    }

    proptest::proptest! {
        /// The search by hyphens finds the common part where a substring search does.
        #[test]
        fn sandbox_common_is_found_where_contains_finds_it(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("web"), proptest::strategy::Just("-"), proptest::strategy::Just("pixel"),
                proptest::strategy::Just("web-pixel"), proptest::strategy::Just("w"), proptest::strategy::Just("/"),
                proptest::strategy::Just("pix"), proptest::strategy::Just("é"),
            ],
            0..10,
        )) {
            let url = parts.concat();
            proptest::prop_assert_eq!(super::has_sandbox_common(&url), url.contains(&sandbox_common()), "{}", url);
        }
    }

    use super::*;

    #[test]
    fn sandbox_patterns_tell_custom_from_app_pixels() {
        let custom = "https://shop.test/wpm@a1b2c3/custom/web-pixel-42@3/sandbox/modern/products/tee";
        let app = "https://shop.test/wpm@a1b2c3/app/web-pixel-7@12/sandbox/worker.modern.js";
        assert_eq!(shopify_sandbox_sender(custom), Some("shopify_custom_pixel"));
        assert_eq!(shopify_sandbox_sender(app), Some("shopify_app_pixel"));
        assert_eq!(shopify_sandbox_sender("https://shop.test/products/tee"), None);
        assert_eq!(
            shopify_sandbox_sender("https://shop.test/apps/web-pixels-manager-sandbox/x"),
            Some("shopify_custom_pixel")
        );
        // The pre-filter may skip a URL only when no pattern could match it.
        for (needle, _) in SHOPIFY_SANDBOX_PATTERNS {
            assert!(needle.contains(&sandbox_common()), "{needle}");
        }
    }

    #[test]
    fn agents_map_by_prefix() {
        assert_eq!(agent_sender("tmgoogletagmanager"), Some("gtm"));
        assert_eq!(agent_sender("plshopify1.2"), Some("shopify_app_pixel"));
        assert_eq!(agent_sender("wordpress"), None);
    }

    #[test]
    fn pixel_hit_urls_are_not_scripts() {
        assert_eq!(tracking_script_kind("https://www.facebook.com/tr/?id=1"), None);
        assert_eq!(
            tracking_script_kind("https://connect.facebook.net/en_US/fbevents.js"),
            Some("fbevents")
        );
        assert_eq!(
            tracking_script_kind("https://connect.facebook.net/signals/config/123?v=2.9"),
            Some("signals_config")
        );
    }

    #[test]
    fn meta_hosts_are_the_pixel_and_script_hosts() {
        for host in [
            "www.facebook.com",
            "facebook.com",
            "www.eu.facebook.com",
            "www.instagram.com",
            SCRIPT_HOST,
        ] {
            assert!(is_meta_host(host), "{host}");
        }
        for host in [
            "shop.test",
            "facebook.com.evil.test",
            "instagram.com",
            "cdn.shopify.com",
        ] {
            assert!(!is_meta_host(host), "{host}");
        }
    }

    #[test]
    fn meta_currency_table_is_sorted_upper_case_iso() {
        let mut sorted = META_CURRENCIES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, META_CURRENCIES, "keep the table sorted for review");
        for c in META_CURRENCIES {
            assert_eq!(c.len(), 3);
            assert!(c.chars().all(|ch| ch.is_ascii_uppercase()), "{c}");
        }
    }
}
