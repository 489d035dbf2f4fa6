//! `page_url_mismatch`: a top-frame hit whose `dl` (the page URL the pixel
//! reports) names a page the browser was not showing in that tab.
//!
//! Such a hit is placed in a page view of its own (the one its `dl` names)
//! that belongs to the document the browser said it came from, so the rules
//! that weigh that document (trusted gestures) judge it there; this rule says
//! the two disagree.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "page_url_mismatch";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a top-frame hit's `dl` names a page the browser was not showing in that tab (judged as part of the page it came from)",
    explanation: "Meta records the `dl` as the page the event happened on, and URL-based custom conversions and audiences match on it: a hit that names another page is counted where it did not happen. A request built by hand with a made-up page URL is also how a page could pass for something else.",
    probably_broke: "A script builds pixel requests itself (an image or beacon to /tr) and sets `dl` from a stored or hard-coded URL instead of location.href, or rewrites it.",
    first_check: "Open the hit's raw request and find which script sent it (its sender and stack); compare its `dl` with the page's address bar.",
    not_yet: "Do not build custom conversions or audiences on URLs until the hits name the pages they were sent from.",
    source: Some("https://developers.facebook.com/docs/meta-pixel/implementation/conversion-tracking"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Page
    }
    fn check_page(&self, j: &Journey, pv: usize, out: &mut Vec<Finding>) {
        let view = &j.page_views[pv];
        let Some(shown) = &view.shown_instead else {
            return;
        };
        let hits: Vec<_> = j.pages[pv]
            .hits
            .iter()
            .map(|&i| j.hit(i))
            .filter(|h| h.counted)
            .collect();
        if hits.is_empty() {
            return;
        }
        let ids: Vec<String> = hits.iter().map(|h| format!("#{}", h.id)).collect();
        let (noun, verb) = if hits.len() == 1 {
            ("hit", "names")
        } else {
            ("hits", "name")
        };
        out.push(
            Finding::about(
                CODE,
                SEVERITY.of_any_event(),
                &hits,
                format!(
                    "{noun} {} {verb} {} in dl, but the browser was showing {shown} in that tab: judged as part of that page",
                    ids.join(", "),
                    view.url
                ),
            )
            .with_page_view(pv),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{Context, Navigation, Origin, Record};
    use crate::rules::testkit::*;

    fn encoded(url: &str) -> String {
        form_urlencoded::byte_serialize(url.as_bytes()).collect()
    }

    /// A request the page built itself with a made-up `dl`, from the page
    /// the browser shows.
    fn forged(j: J, ev: &str, dl: &str) -> J {
        let page = j.page.clone();
        j.hit_with(ev, &[], |r| {
            r.url = r
                .url
                .replace(&format!("dl={}", encoded(&page)), &format!("dl={}", encoded(dl)));
        })
    }

    #[test]
    fn a_dl_naming_a_page_the_browser_did_not_show_warns() {
        let j = forged(
            J::new().nav("https://shop.test/products/tee"),
            "AddToCart",
            "https://shop.test/made-up",
        );
        let f = j.only("page_url_mismatch");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].hit_ids, vec![1]);
        assert!(f[0].message.contains("https://shop.test/made-up"), "{}", f[0].message);
        assert!(
            f[0].message.contains("showing https://shop.test/products/tee"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_dl_the_browser_showed_is_silent() {
        // Every hit names the page it was sent from, including one sent as the
        // page was left (the browser already shows the next page).
        let j = J::new()
            .nav("https://shop.test/products/tee")
            .hit("ViewContent", &[])
            .nav("https://shop.test/cart");
        let j = forged(j, "PageView", "https://shop.test/products/tee").hit("PageView", &[]);
        assert!(j.only("page_url_mismatch").is_empty());
        // A hit that raced its history navigation's record: the browser did
        // show the page it names, a moment later.
        let j = forged(
            J::new().nav("https://shop.test/collections/all"),
            "PageView",
            "https://shop.test/products/tee",
        );
        let t = j.t;
        let j = j.record(Record::Navigation(Navigation {
            url: "https://shop.test/products/tee".into(),
            time: t + 30.0,
            tab_id: Some(1),
            transition: Some("history".into()),
            origin: Origin::Network,
        }));
        assert!(j.only("page_url_mismatch").is_empty());
        // A HAR: which page the browser showed is not known, so there is
        // nothing to compare with.
        let j = forged(
            J::new().nav("https://shop.test/p"),
            "AddToCart",
            "https://shop.test/made-up",
        );
        let mut records = j.records.clone();
        if let Some(Record::Request(r)) = records.last_mut() {
            r.context = Context::default();
        }
        let j = records.into_iter().fold(J::new(), J::record);
        assert!(j.only("page_url_mismatch").is_empty());
    }

    /// A store URL with an address (a newsletter link) is masked in every
    /// record that holds it, alike: the page views, the hits' pages and every
    /// finding are what they were with the address in the clear.
    #[test]
    fn a_page_url_with_an_address_is_masked_alike_everywhere_and_judged_the_same() {
                for page in [
            "https://shop.test/products/tee?utm_source=newsletter&email=Jane.Doe%40Example.com",
            "https://shop.test/products/tee?email=jane.doe@example.com",
        ] {
            let plain = J::new()
                .nav(page)
                .hit("PageView", &[("eid", "pv-1")])
                .hit("ViewContent", &[("eid", "vc-1")])
                .history("https://shop.test/cart?email=jane.doe@example.com")
                .hit("AddToCart", &[]);
            let stored: Vec<String> = plain
                .records
                .iter()
                .map(|r| {
                    let text = serde_json::to_string(r).expect("JSON");
                    crate::privacy::redact_record_json(&text).expect("JSON").unwrap_or(text)
                })
                .collect();
            let all = stored.join("\n");
            assert!(!all.to_lowercase().contains("jane.doe"), "{all}");
            let masked: Vec<crate::journal::Record> = stored
                .iter()
                .map(|t| crate::journal::record_from_json(t).expect("a record"))
                .collect();
            let judged = |records: Vec<crate::journal::Record>| {
                let mut s = crate::session::Session::from_records(Default::default(), records);
                let pages: Vec<usize> = s.journey().hits.iter().map(|h| h.page_view).collect();
                let codes: Vec<(String, Vec<u32>)> = s
                    .findings()
                    .into_iter()
                    .map(|f| (f.code.to_owned(), f.hit_ids))
                    .collect();
                (pages, codes)
            };
            let (pages, codes) = judged(masked);
            assert_eq!((pages.clone(), codes.clone()), judged(plain.records), "{page}");
            assert_eq!(pages, vec![0, 0, 1], "{page}");
            assert!(codes.iter().all(|(c, _)| c != "page_url_mismatch"), "{codes:?}");
        }
    }
}
