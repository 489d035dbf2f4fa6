//! Small DOM helpers. Every string that may come from a page or a payload goes
//! in through `textContent` (`text`, `el`), never through HTML parsing, so a
//! product name like `<img src=x onerror=alert(1)>` stays a string.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement};

thread_local! {
    /// The panel's document, looked up once: each lookup crosses to JS twice
    /// (the global as a `Window`, then its document), and the panel creates
    /// thousands of elements when it opens. Only panel.html loads this
    /// module, so there always is one.
    #[allow(clippy::expect_used)]
    static DOCUMENT: Document = web_sys::window()
        .and_then(|w| w.document())
        .expect("the panel runs in a page with a document");
}

/// The panel's document.
pub fn document() -> Document {
    DOCUMENT.with(Document::clone)
}

/// Creates `<tag class=…>` with text content.
pub fn el(tag: &str, class: &str, text: &str) -> Element {
    let e = create(tag);
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    e
}

pub fn create(tag: &str) -> Element {
    #[allow(clippy::expect_used)]
    DOCUMENT.with(|d| d.create_element(tag).expect("valid tag name"))
}

pub fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

pub fn clear(e: &Element) {
    e.set_text_content(None);
}

pub fn by_id(id: &str) -> Option<Element> {
    DOCUMENT.with(|d| d.get_element_by_id(id))
}

pub fn button(text: &str, class: &str) -> Element {
    let b = el("button", class, text);
    attr(&b, "type", "button");
    b
}

pub fn input_value(e: &Element) -> String {
    if let Some(i) = e.dyn_ref::<HtmlInputElement>() {
        return i.value();
    }
    if let Some(t) = e.dyn_ref::<HtmlTextAreaElement>() {
        return t.value();
    }
    if let Some(s) = e.dyn_ref::<web_sys::HtmlSelectElement>() {
        return s.value();
    }
    String::new()
}

pub fn set_input_value(e: &Element, v: &str) {
    if let Some(i) = e.dyn_ref::<HtmlInputElement>() {
        i.set_value(v);
    } else if let Some(t) = e.dyn_ref::<HtmlTextAreaElement>() {
        t.set_value(v);
    } else if let Some(s) = e.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.set_value(v);
    }
}

pub fn focus(e: &Element) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        let _ = h.focus();
    }
}

/// Gives `e` the focus where it is, without scrolling it into view (an element
/// redrawn under the focus keeps it while the user reads elsewhere).
pub fn keep_focus(e: &Element) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = h.focus_with_options(&options);
    }
}

/// A labelled form field: `<label>text <input id=…></label>`.
pub fn field(label: &str, control: &Element) -> Element {
    let l = el("label", "field", "");
    append(&l, &el("span", "field-label", label));
    append(&l, control);
    l
}

/// The message line next to an input; screen readers announce what appears in it.
pub fn error_line(id: &str) -> Element {
    let p = el("p", "error", "");
    attr(&p, "id", id);
    attr(&p, "role", "alert");
    p
}

/// Formats ms since the epoch as `HH:MM:SS` UTC (the panel shows times of day).
pub fn clock(ms: f64) -> String {
    if !ms.is_finite() || ms <= 0.0 {
        return "—".into();
    }
    let secs = (ms / 1000.0).floor() as i64;
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}Z", day / 3600, (day % 3600) / 60, day % 60)
}

/// A User Timing mark (bench/browser.mjs times the panel's opening with them).
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// The status line under the header.
pub fn status(text: &str) {
    if let Some(s) = by_id("pp-status") {
        s.set_text_content(Some(text));
    }
}

/// Puts a panic's message on the panel: what broke and where, not just
/// "unreachable". Safe to call before the panel is built (it does nothing).
pub fn show_panic(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(s) = doc.get_element_by_id("pp-status") {
        s.set_text_content(Some(&format!(
            "PixelProof stopped on an internal error; reopen the panel. Please report: {message}"
        )));
    }
}
