//! Meta's browser id and click id, `fbp` and `fbc`: the form Meta documents
//! for them and the click id (`fbclid`) an fbc carries (Conversions API,
//! "fbp and fbc parameters"). Shared by the identity rules and the payload
//! checks; the landing URL's fbclid is what an fbc must repeat.

use crate::journey::Journey;

/// What is wrong with an fbp or fbc value, in words; `None` when it has Meta's
/// form `fb.<subdomain index>.<creation time in ms>.<value>`. Meta's parameter
/// builder appends one more part (`….<appendix>`), so a fifth part is allowed.
pub fn format_problem(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.split('.').collect();
    if parts.len() < 4 {
        return Some(format!(
            "has {} dot-separated part(s) where Meta's form fb.<subdomain index>.<creation time in ms>.<value> has 4",
            parts.len()
        ));
    }
    if parts.len() > 5 {
        return Some(format!(
            "has {} dot-separated parts; Meta's form has 4, plus at most one appended part",
            parts.len()
        ));
    }
    if parts[0] != "fb" {
        return Some(format!("starts with \"{}\" instead of \"fb\"", clip(parts[0])));
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(parts[1]) || parts[1].len() > 2 {
        return Some(format!(
            "has \"{}\" where the subdomain index (0, 1, 2, …) belongs",
            clip(parts[1])
        ));
    }
    let created = parts[2];
    if digits(created) && created.len() == 10 {
        return Some(format!(
            "has the creation time {created} in seconds; Meta wants milliseconds (13 digits)"
        ));
    }
    if !digits(created) || created.len() != 13 {
        return Some(format!(
            "has \"{}\" where the creation time in milliseconds (13 digits) belongs",
            clip(created)
        ));
    }
    if parts[3].is_empty() {
        return Some("has an empty value after the creation time".to_owned());
    }
    if parts.get(4).is_some_and(|a| a.is_empty()) {
        return Some("ends with an empty part".to_owned());
    }
    None
}

/// The click id an fbc carries (its fourth part), when the fbc has Meta's form.
pub fn fbclid_of_fbc(fbc: &str) -> Option<&str> {
    if format_problem(fbc).is_some() {
        return None;
    }
    fbc.split('.').nth(3)
}

/// The `fbclid` query parameter of a URL, as the browser decodes it.
pub fn fbclid_of_url(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let found = u
        .query_pairs()
        .find(|(k, _)| k == "fbclid")
        .map(|(_, v)| v.into_owned());
    found.filter(|v| !v.is_empty())
}

/// The fbclid the journey landed with: the first page view's. A page view a
/// page record made before any browser evidence does not count: a page record
/// never decides where the journey began (docs/product-rules.md, "Network and
/// page evidence").
pub fn landing_fbclid(j: &Journey) -> Option<String> {
    j.page_views
        .iter()
        .find(|p| !p.made_by_page)
        .and_then(|p| fbclid_of_url(&p.url))
}

/// A hex digest (MD5, SHA-1 or SHA-256 length, either case): what a value
/// Meta wants as it is looks like after someone hashed it.
pub fn looks_hashed(value: &str) -> bool {
    matches!(value.len(), 32 | 40 | 64) && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Hit numbers for a message: `#1, #2, #5`, and past ten `… and N more` (the
/// finding's `hit_ids` still name them all), so one id on every hit of a
/// long journey does not make a message of thousands of numbers.
pub fn hit_refs(hits: &[&crate::model::Hit]) -> String {
    const SHOWN: usize = 10;
    let mut s = hits
        .iter()
        .take(SHOWN)
        .map(|h| format!("#{}", h.id))
        .collect::<Vec<_>>()
        .join(", ");
    if hits.len() > SHOWN {
        s.push_str(&format!(" and {} more", hits.len() - SHOWN));
    }
    s
}

/// A value for a message: at most 120 characters (a click id is about 60, and
/// where it differs matters), so a long or hostile value cannot flood it.
pub fn clip(value: &str) -> String {
    const MAX: usize = 120;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_examples_have_the_documented_form() {
        // The examples on Meta's "fbp and fbc parameters" page and in its business SDKs.
        assert_eq!(format_problem("fb.1.1596403881668.1116446470"), None);
        assert_eq!(
            format_problem("fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890"),
            None
        );
        assert_eq!(
            fbclid_of_fbc("fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890"),
            Some("AbCdEfGhIjKlMnOpQrStUvWxYz1234567890")
        );
        // The parameter builder's appended part.
        assert_eq!(format_problem("fb.1.1554763741205.IwAR2F4-dbP0l7Mn1IawQQ.Bg"), None);
        assert_eq!(
            fbclid_of_fbc("fb.1.1554763741205.IwAR2F4-dbP0l7Mn1IawQQ.Bg"),
            Some("IwAR2F4-dbP0l7Mn1IawQQ")
        );
    }

    #[test]
    fn broken_forms_say_what_is_wrong() {
        let p = |v: &str| format_problem(v).unwrap_or_default();
        assert!(
            p("fb.1.1596403881.1116446470").contains("in seconds"),
            "{}",
            p("fb.1.1596403881.1116446470")
        );
        assert!(p("fb.1.1116446470").contains("has 3"));
        assert!(p("1116446470").contains("has 1"));
        assert!(p("fb.1.1596403881668.1.2.3").contains("has 6"));
        assert!(p("fp.1.1596403881668.1116446470").contains("\"fp\""));
        assert!(p("fb.x.1596403881668.1116446470").contains("subdomain index"));
        assert!(p("fb.1.1596403881668.").contains("empty value"));
        assert!(p("fb.1.1596403881668.ab.").contains("empty part"));
        assert_eq!(fbclid_of_fbc("fb.1.1596403881.abc"), None);
    }

    #[test]
    fn fbclid_comes_from_the_query_as_sent() {
        assert_eq!(
            fbclid_of_url("https://shop.test/products/tee?utm_source=fb&fbclid=IwAR2F4-dbP0l7Mn1IawQQ"),
            Some("IwAR2F4-dbP0l7Mn1IawQQ".to_owned())
        );
        assert_eq!(fbclid_of_url("https://shop.test/?fbclid="), None);
        assert_eq!(fbclid_of_url("https://shop.test/"), None);
        assert_eq!(fbclid_of_url("(unknown page)"), None);
    }

    #[test]
    fn hashes_of_any_common_length_look_hashed() {
        assert!(looks_hashed(&"ab".repeat(32)));
        assert!(looks_hashed(&"AB".repeat(16)));
        assert!(!looks_hashed("203.0.113.7"));
        assert!(!looks_hashed("fb.1.1596403881668.1116446470"));
    }
}
