//! What the journey keeps of each order between refreshes: its parts by hit
//! index, and what each part is to the order. [`crate::purchases`] finds them
//! and explains how; they live apart so the journey holds them without
//! depending on the code that reads it.

/// What a part is to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The order's first Purchase.
    First,
    /// A post-purchase upsell: its own event_id, only new items.
    Upsell,
    /// A later Purchase with new items that re-sends items of part `of` too.
    CountedTwice { of: usize },
    /// A later Purchase with new items under the event_id of part `of`.
    ReusesEventId { of: usize },
}

impl Role {
    /// Whether Meta counts this part's value (it drops a reused event_id).
    pub fn counted(self) -> bool {
        !matches!(self, Role::ReusesEventId { .. })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::First => "order",
            Role::Upsell => "upsell",
            Role::CountedTwice { .. } => "upsell_value_counted_twice",
            Role::ReusesEventId { .. } => "upsell_event_id_reused",
        }
    }
}

/// One order of one pixel by hit index, without its server twins: what the
/// session keeps per pixel in the journey and recomputes only for a pixel
/// whose Purchases changed, so that a refresh after any other hit does not
/// split every order of the journey again.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderIndex {
    pub(crate) order_id: Option<String>,
    pub(crate) parts: Vec<PartIndex>,
}

/// One part of an order: its hits in arrival order, as handles (`&Hit` while
/// an order is split, indices in an [`OrderIndex`]), and its items, sorted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PartOf<T> {
    pub(crate) role: Role,
    pub(crate) hits: Vec<T>,
    pub(crate) items: Vec<String>,
}

pub(crate) type PartIndex = PartOf<usize>;
