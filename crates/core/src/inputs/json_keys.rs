//! Keys named twice in one JSON object. serde_json, like most JSON readers,
//! keeps the last of them; in a paste that means data lost without a word.

use super::InputError;

/// Refuses a pasted JSON text (one document or several one after another)
/// that names a key twice in one object, at the second: a JSON reader keeps
/// the last, so `{"data": [...], "data": [...]}` would lose the first list, or
/// an event naming `event_id` twice one of its ids, without a word. Text that
/// is not JSON is left to the parser's own message.
pub(crate) fn no_repeated_key(input: &str, text: &str, hint: &str) -> Result<(), InputError> {
    use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
    /// Where the walk is (`data[0].custom_data`), from `root` on (what comes
    /// before is the document's prefix), and the first key found twice: its
    /// place and the key.
    struct Walk<'p> {
        path: &'p mut String,
        root: usize,
        found: &'p mut Option<(String, String)>,
    }
    impl Walk<'_> {
        fn inner(&mut self) -> Walk<'_> {
            Walk {
                path: &mut *self.path,
                root: self.root,
                found: &mut *self.found,
            }
        }
    }
    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            let at = self.path.len();
            for i in 0.. {
                self.path.push_str(&format!("[{i}]"));
                let more = seq.next_element_seed(self.inner())?;
                self.path.truncate(at);
                if more.is_none() {
                    break;
                }
            }
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
            let at = self.path.len();
            let mut keys = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if at > self.root {
                    self.path.push('.');
                }
                self.path.push_str(&key);
                if self.found.is_none() && keys.contains(&key) {
                    *self.found = Some((self.path.clone(), key));
                } else {
                    keys.insert(key);
                }
                map.next_value_seed(self.inner())?;
                self.path.truncate(at);
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let mut found = None;
    for doc in 1.. {
        let mut path = if doc == 1 {
            String::new()
        } else {
            format!("document {doc}: ")
        };
        let root = path.len();
        let walk = Walk {
            path: &mut path,
            root,
            found: &mut found,
        };
        // What does not parse is the parser's to report.
        if walk.deserialize(&mut de).is_err() {
            return Ok(());
        }
        if let Some((place, key)) = found.take() {
            return Err(InputError {
                input: input.into(),
                place,
                problem: format!("the key \"{key}\" appears twice in one object; a JSON reader keeps only the last"),
                hint: hint.into(),
            });
        }
        if de.end().is_ok() {
            break;
        }
    }
    Ok(())
}
