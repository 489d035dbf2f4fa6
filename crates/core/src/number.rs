//! Plain decimals as Meta's parameters and Shopify's files write them: the
//! lowest layer, used by the page model, the order files and the money checks.

/// Parses a plain decimal: digits, optionally `.` and digits, optional leading
/// `-`. Rejects `$10`, `1,234.50`, `12,5`, `1e3`, empty, `NaN`, spaces.
pub fn parse_plain_decimal(s: &str) -> Option<f64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    // A byte search: a char pattern's searcher cost more to set up than
    // these few digits take to read.
    let (int, frac) = match body.bytes().position(|b| b == b'.') {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod plain_decimals {
    use super::parse_plain_decimal;

    /// What it was with `split_once`: the reference for the byte search.
    fn by_split(s: &str) -> Option<f64> {
        let body = s.strip_prefix('-').unwrap_or(s);
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return None;
        }
        s.parse::<f64>().ok().filter(|v| v.is_finite())
    }

    proptest::proptest! {
        #[test]
        fn reads_as_splitting_did(parts in proptest::collection::vec(
            proptest::sample::select(vec!["-", ".", "0", "12", "9", "e", "1e3", ",", " ", "é"]),
            0..6,
        )) {
            let s = parts.concat();
            proptest::prop_assert_eq!(parse_plain_decimal(&s), by_split(&s), "{}", s);
        }
    }
}
