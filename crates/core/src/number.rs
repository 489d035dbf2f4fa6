//! Plain decimals as Meta's parameters and Shopify's files write them: the
//! lowest layer, used by the page model, the order files and the money checks.

/// Parses a plain decimal: digits, optionally `.` and digits, optional leading
/// `-`. Rejects `$10`, `1,234.50`, `12,5`, `1e3`, empty, `NaN`, spaces.
pub fn parse_plain_decimal(s: &str) -> Option<f64> {
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
