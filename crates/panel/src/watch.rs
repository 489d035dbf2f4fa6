//! What the panel says about the tab before anything is captured: the first
//! thing a new user meets. The tab's URL comes from `webNavigation` (the
//! extension has no `tabs` permission and no access to an unwatched page).

use gloo::events::EventListener;

use crate::ctx::{Ctx, Msg};
use crate::dom::*;
use crate::state::Watch;

/// The origin to offer for a tab URL: web pages only.
pub fn web_origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    Some(u.origin().ascii_serialization())
}

fn hint(watch: &web_sys::Element, text: &str) {
    let p = el("p", "hint", text);
    attr(&p, "id", "pp-watch-hint");
    append(watch, &p);
}

pub fn render(app: &Ctx, state: &Watch, listeners: &mut Vec<EventListener>) {
    let Some(watch) = by_id("pp-watch") else { return };
    clear(&watch);
    match state {
        Watch::Watched => {}
        Watch::NotWeb => hint(
            &watch,
            "PixelProof watches the web pages of your store. Open your store (an https:// page) in this tab, then open this panel again.",
        ),
        Watch::Offer(origin) => {
            hint(
                &watch,
                &format!(
                    "PixelProof records nothing on {origin} until you allow it. The browser will ask you to let PixelProof read and change your data on this one site; it only reads pixel traffic and never changes the page."
                ),
            );
            let b = button(&format!("Watch {origin}"), "primary");
            attr(&b, "id", "pp-watch-button");
            attr(
                &b,
                "title",
                "Ask the browser for access to this store's pages (only this origin)",
            );
            append(&watch, &b);
            let origin = origin.clone();
            listeners.push(app.on(&b, "click", move |_| Some(Msg::Watch(origin.clone()))));
        }
        // Pages loaded before the grant run without the page scripts.
        Watch::Granted(origin) => {
            hint(
                &watch,
                &format!(
                    "Watching {origin}. Reload the page to start capturing: pages loaded before the grant are not watched."
                ),
            );
            let b = button("Reload the page", "primary");
            attr(&b, "id", "pp-reload-button");
            append(&watch, &b);
            listeners.push(app.on(&b, "click", |_| Some(Msg::ReloadTab)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_pages_are_offered() {
        assert_eq!(
            web_origin("https://shop.test/products/tee?x=1").as_deref(),
            Some("https://shop.test")
        );
        assert_eq!(
            web_origin("http://shop.test:8080/").as_deref(),
            Some("http://shop.test:8080")
        );
        assert_eq!(web_origin("chrome://newtab/"), None);
        assert_eq!(web_origin("about:blank"), None);
        assert_eq!(web_origin("not a url"), None);
    }
}
