//! Lone UTF-16 surrogates in JSON text. A JavaScript string may hold one (a
//! theme that cuts a product name inside an emoji; a page naming its own
//! scripts), `JSON.stringify` writes it as an escape, and no Rust string can
//! hold it: serde_json refuses the text. Repaired, the text reads with U+FFFD
//! in its place, as `String::from_utf16_lossy` would read the string.

/// `text` (JSON) with each escape of a lone UTF-16 surrogate (`\ud800` not
/// followed by its low half, or a low half alone) written `\ufffd`; `None`
/// when it has none. Escaped backslashes are passed over whole, so `\\ud800`
/// (a backslash, then the letters) is left as it is.
pub fn repaired(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let unit = |at: usize| -> Option<u32> {
        let hex = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
        u32::from_str_radix(hex, 16).ok()
    };
    let escape = |at: usize| b.get(at) == Some(&b'\\') && b.get(at + 1) == Some(&b'u');
    let mut out: Option<String> = None;
    let (mut last, mut i) = (0, 0);
    while let Some(off) = b.get(i..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        let at = i + off;
        if !escape(at) {
            // Any other escape is two bytes: `\\`, `\"`, `\n`, …
            i = at + 2;
            continue;
        }
        i = at + 6;
        let lone = match unit(at + 2) {
            Some(0xD800..=0xDBFF) => {
                if escape(at + 6) && unit(at + 8).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) {
                    i = at + 12;
                    false
                } else {
                    true
                }
            }
            Some(0xDC00..=0xDFFF) => true,
            _ => false,
        };
        if lone {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[last..at]);
            o.push_str("\\ufffd");
            last = at + 6;
        }
    }
    let mut out = out?;
    out.push_str(&text[last..]);
    Some(out)
}

/// Text from WTF-8 bytes (what serde_json gives for a string asked for as
/// bytes): a lone surrogate, the three bytes ED A0..BF 80..BF that no UTF-8
/// text holds, becomes one U+FFFD.
pub fn from_wtf8_lossy(bytes: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    let mut bytes = bytes.to_vec();
    let mut i = 0;
    while i + 2 < bytes.len() {
        if bytes[i] == 0xED && (0xA0..=0xBF).contains(&bytes[i + 1]) && (0x80..=0xBF).contains(&bytes[i + 2]) {
            // U+FFFD is three bytes in UTF-8 too.
            bytes[i..i + 3].copy_from_slice("\u{fffd}".as_bytes());
            i += 3;
        } else {
            i += 1;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A JavaScript string (UTF-16 units) as JSON text, the way
    /// `JSON.stringify` writes it: a lone surrogate as a lower-case escape, a
    /// pair as the character (or, `escape_pairs`, as two escapes, as other
    /// writers do).
    fn stringify(units: &[u16], escape_pairs: bool) -> String {
        let mut s = String::from("\"");
        let mut i = 0;
        while i < units.len() {
            let u = units[i];
            let low = units.get(i + 1).copied().filter(|l| (0xDC00..0xE000).contains(l));
            if let (true, Some(low)) = ((0xD800..0xDC00).contains(&u), low) {
                if escape_pairs {
                    s.push_str(&format!("\\u{u:04x}\\u{low:04x}"));
                } else {
                    s.extend(char::decode_utf16([u, low]).map(|c| c.unwrap_or('?')));
                }
                i += 2;
                continue;
            }
            match char::from_u32(u32::from(u)) {
                None => s.push_str(&format!("\\u{u:04x}")),
                Some('"') => s.push_str("\\\""),
                Some('\\') => s.push_str("\\\\"),
                Some(c) if c < ' ' => s.push_str(&format!("\\u{:04x}", u32::from(c))),
                Some(c) => s.push(c),
            }
            i += 1;
        }
        s.push('"');
        s
    }

    proptest! {
        /// Read after the repair, the text is the string with each lone
        /// surrogate as U+FFFD (what `String::from_utf16_lossy` makes of it),
        /// and nothing else changed: pairs, escaped backslashes followed by
        /// the letters of an escape, quotes and control characters.
        #[test]
        fn the_repair_reads_as_the_lossy_string(
            units in proptest::collection::vec(prop_oneof![
                Just(0xD83Cu16), Just(0xDF75), Just(0xD800), Just(0xDFFF), Just(u16::from(b'\\')),
                Just(u16::from(b'"')), Just(u16::from(b'u')), Just(u16::from(b'd')), Just(u16::from(b'8')),
                Just(u16::from(b'0')), Just(u16::from(b'a')), Just(0xE9), Just(0x1F),
            ], 0..24),
            escape_pairs in any::<bool>(),
        ) {
            let text = stringify(&units, escape_pairs);
            let fixed = repaired(&text);
            prop_assert_eq!(fixed.is_some(), serde_json::from_str::<String>(&text).is_err(), "{}", text);
            let read: String = serde_json::from_str(fixed.as_deref().unwrap_or(&text)).expect("reads");
            prop_assert_eq!(read, String::from_utf16_lossy(&units));
        }
    }
}
