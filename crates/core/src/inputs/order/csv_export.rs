//! The Shopify Admin's Orders export CSV (Orders → Export → CSV for Excel,
//! Numbers or other spreadsheet programs; the columns are listed on Shopify's
//! help page "Exporting orders",
//! <https://help.shopify.com/en/manual/fulfillment/managing-orders/exporting-orders>).
//!
//! One row per line item. The order-level figures (Financial Status, Currency,
//! Subtotal, Shipping, Taxes, Total, Discount Amount) are on the first row of
//! each order and blank on its other rows; `Name` (`#1001`) is on every row
//! and groups them. A file may hold many orders: the caller names the one to
//! read, or the file must hold exactly one.

use std::collections::HashMap;

use super::{strip_hash, OrderFigures};
use crate::inputs::InputError;

/// Columns without which no figures can be read.
pub const NEEDED: [&str; 3] = ["Name", "Currency", "Total"];

const HINT: &str = "export the order again from the Shopify admin (Orders → Export → CSV), unedited";

/// Names listed in the message about a file with several orders.
const NAMES_SHOWN: usize = 20;

/// The columns the figures come from, by position in the header.
struct Columns {
    name: usize,
    currency: usize,
    total: usize,
    financial_status: Option<usize>,
    subtotal: Option<usize>,
    shipping: Option<usize>,
    taxes: Option<usize>,
    discount: Option<usize>,
    quantity: Option<usize>,
    header: Vec<String>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Columns, Vec<&'static str>> {
        let header: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let find = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let missing: Vec<&'static str> = NEEDED.iter().copied().filter(|n| find(n).is_none()).collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let at = |name: &str| find(name).unwrap_or_default();
        Ok(Columns {
            name: at("Name"),
            currency: at("Currency"),
            total: at("Total"),
            financial_status: find("Financial Status"),
            subtotal: find("Subtotal"),
            shipping: find("Shipping"),
            taxes: find("Taxes"),
            discount: find("Discount Amount"),
            quantity: find("Lineitem quantity"),
            header,
        })
    }

    /// `column 12 (Total)`, 1-based as a spreadsheet counts.
    fn place(&self, line: u64, col: usize) -> String {
        format!("line {line}, column {} ({})", col + 1, self.header[col])
    }
}

/// The rows of one order: its name, the line of its first row and that row,
/// and the quantities of all its rows.
struct OrderRows {
    name: String,
    line: u64,
    first: csv::StringRecord,
    quantities: Vec<(u64, String)>,
}

/// Reads one order from an Orders export; `wanted` picks it by name.
pub fn parse(label: &str, text: &str, wanted: Option<&str>) -> Result<OrderFigures, InputError> {
    let err = |place: String, problem: String| InputError {
        input: label.into(),
        place,
        problem,
        hint: HINT.into(),
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| csv_error(label, &e))?.clone();
    let cols = Columns::from_header(&header).map_err(|missing| {
        err(
            "line 1 (the header)".into(),
            format!(
                "not JSON, and not an Orders export CSV: the header has no {} column{}",
                missing.join(", "),
                if missing.len() == 1 { "" } else { "s" }
            ),
        )
    })?;
    let mut orders: Vec<OrderRows> = Vec::new();
    // Where each name's rows are: an export of a whole store holds tens of
    // thousands of orders, and a search of the list per row took minutes.
    let mut index: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(label, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        let name = record.get(cols.name).unwrap_or_default().trim().to_owned();
        if name.is_empty() {
            // A blank line some spreadsheet programs leave at the end.
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            return Err(err(cols.place(line, cols.name), "the row has no order Name".into()));
        }
        let quantity = cols
            .quantity
            .and_then(|c| record.get(c))
            .map(|q| (line, q.trim().to_owned()));
        match index.get(&name) {
            Some(&i) => orders[i].quantities.extend(quantity),
            None => {
                index.insert(name.clone(), orders.len());
                orders.push(OrderRows {
                    name,
                    line,
                    first: record,
                    quantities: quantity.into_iter().collect(),
                });
            }
        }
    }
    let names = || {
        let mut shown: Vec<&str> = orders.iter().take(NAMES_SHOWN).map(|o| o.name.as_str()).collect();
        let more = orders.len().saturating_sub(NAMES_SHOWN);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        shown.dedup();
        format!("{}{more}", shown.join(", "))
    };
    let order = match (wanted, orders.len()) {
        (_, 0) => return Err(err("line 2".into(), "the export has a header and no order rows".into())),
        (Some(w), _) => orders.iter().find(|o| super::same_name(&o.name, w)).ok_or_else(|| {
            err(
                "(the Name column)".into(),
                format!("no order {w} in the file; it holds {}", names()),
            )
        })?,
        (None, 1) => &orders[0],
        (None, n) => return Err(InputError {
            input: label.into(),
            place: "(the Name column)".into(),
            problem: format!("the file holds {n} orders: {}", names()),
            hint:
                "pick one by its name: --order-name '#1001' on the command line, or the Order name field in the panel"
                    .into(),
        }),
    };
    figures(&cols, order).map_err(|(place, problem)| err(place, problem))
}

fn figures(cols: &Columns, o: &OrderRows) -> Result<OrderFigures, (String, String)> {
    let row = &o.first;
    let cell = |c: usize| row.get(c).map(str::trim).filter(|v| !v.is_empty());
    let amount = |c: Option<usize>| -> Result<Option<f64>, (String, String)> {
        let Some(c) = c else { return Ok(None) };
        match cell(c) {
            None => Ok(None),
            Some(v) => crate::number::parse_plain_decimal(v)
                .map(Some)
                .ok_or_else(|| (cols.place(o.line, c), format!("\"{v}\" is not an amount like 59.00"))),
        }
    };
    let total = amount(Some(cols.total))?.ok_or_else(|| {
        (
            cols.place(o.line, cols.total),
            format!("the first row of order {} has no Total", o.name),
        )
    })?;
    if total < 0.0 {
        return Err((cols.place(o.line, cols.total), "the Total is negative".into()));
    }
    if cell(cols.currency).is_none() {
        return Err((
            cols.place(o.line, cols.currency),
            format!(
                "the first row of order {} has no Currency: {}",
                o.name,
                super::NO_CURRENCY
            ),
        ));
    }
    let mut item_count = None;
    if cols.quantity.is_some() {
        let mut sum = 0u32;
        for (line, q) in &o.quantities {
            if q.is_empty() {
                continue;
            }
            let n: u32 = q.parse().map_err(|_| {
                (
                    cols.place(*line, cols.quantity.unwrap_or_default()),
                    format!("\"{q}\" is not a whole quantity"),
                )
            })?;
            sum = sum.saturating_add(n);
        }
        item_count = Some(sum);
    }
    Ok(OrderFigures {
        order_number: Some(strip_hash(&o.name).to_owned()),
        total,
        subtotal: amount(cols.subtotal)?,
        shipping: amount(cols.shipping)?,
        tax: amount(cols.taxes)?,
        discount: amount(cols.discount)?,
        currency: cell(cols.currency).map(str::to_owned),
        item_count,
        payment_status: cols.financial_status.and_then(cell).map(str::to_ascii_lowercase),
        format: Some("csv".into()),
        ..OrderFigures::default()
    })
}

/// A CSV reader error as an input error with its line (and field).
fn csv_error(label: &str, e: &csv::Error) -> InputError {
    let (place, problem) = match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => (
            pos.as_ref()
                .map_or_else(|| "(a row)".to_owned(), |p| format!("line {}", p.line())),
            format!(
                "the row has {len} field{} where the header has {expected_len}: the file looks cut short or edited",
                if *len == 1 { "" } else { "s" }
            ),
        ),
        _ => (
            e.position()
                .map_or_else(|| "(the file)".to_owned(), |p| format!("line {}", p.line())),
            format!("not a readable CSV ({e})"),
        ),
    };
    InputError {
        input: label.into(),
        place,
        problem,
        hint: HINT.into(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::inputs::order::parse_order_named;

    /// The export's real header (Shopify's "Exporting orders" help page lists
    /// these columns, in this order) and two orders, the first with two line
    /// items: order-level figures on its first row only.
    pub(crate) const HEADER: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street";

    fn two_orders() -> String {
        format!(
            "{HEADER}\n\
             #1001,jane@example.com,paid,2026-12-06 10:02:11 +0000,,,no,USD,49.00,10.00,0.00,59.00,,0.00,Standard,2026-12-06 10:02:10 +0000,1,Linen shirt,39.00,,SHIRT-L,true,true,pending,Jane Doe,\"1 Main St, Apt 2\"\n\
             #1001,jane@example.com,,,,,,,,,,,,,,,1,Socks,10.00,,SOCK-1,true,true,pending,,\n\
             #1002,joe@example.com,pending,,,,no,USD,20.00,0.00,0.00,20.00,,0.00,,2026-12-06 11:00:00 +0000,2,Cap,10.00,,CAP,true,true,pending,Joe Bloggs,\"2 Side St\"\n"
        )
    }

    /// An export of a whole store: the order named is found among 20,000
    /// others (each name looked up once, not searched for per row), and its
    /// rows are summed wherever they are.
    #[test]
    fn an_order_is_found_in_an_export_of_a_whole_store() {
        let mut text = two_orders();
        for n in 0..20_000 {
            text.push_str(&format!(
                "#{},a{n}@example.com,paid,,,,no,USD,10.00,0.00,0.00,10.00,,0.00,,,1,Cap,10.00,,CAP,true,true,pending,,\n",
                5000 + n
            ));
        }
        text.push_str("#1002,joe@example.com,,,,,,,,,,,,,,,3,Scarf,0.00,,SCARF,true,true,pending,,\n");
        let o = parse_order_named("orders_export.csv", &text, Some("#1002")).expect("order #1002");
        assert_eq!((o.total, o.item_count), (20.0, Some(5)));
        let o = parse_order_named("orders_export.csv", &text, Some("#24999")).expect("the last but one");
        assert_eq!((o.total, o.item_count), (10.0, Some(1)));
        let e = parse_order_named("orders_export.csv", &text, None).expect_err("several orders");
        assert!(
            e.problem
                .starts_with("the file holds 20002 orders: #1001, #1002, #5000, #5001, ")
                && e.problem.ends_with(", #5017 and 19982 more"),
            "{}",
            e.problem
        );
    }

    #[test]
    fn one_order_picked_by_name_with_its_line_items_summed() {
        let o = parse_order_named("orders_export.csv", &two_orders(), Some("#1001")).expect("order #1001");
        assert_eq!(o.format.as_deref(), Some("csv"));
        assert_eq!(o.order_number.as_deref(), Some("1001"));
        assert_eq!((o.total, o.currency.as_deref()), (59.0, Some("USD")));
        assert_eq!(
            (o.subtotal, o.shipping, o.tax, o.discount),
            (Some(49.0), Some(10.0), Some(0.0), Some(0.0))
        );
        assert_eq!(o.item_count, Some(2));
        assert_eq!(o.payment_status.as_deref(), Some("paid"));
        let o = parse_order_named("orders_export.csv", &two_orders(), Some("1002")).expect("without #");
        assert_eq!((o.total, o.item_count), (20.0, Some(2)));
    }

    #[test]
    fn several_orders_and_no_name_list_the_names() {
        let e = parse_order_named("orders_export.csv", &two_orders(), None).expect_err("which one?");
        assert_eq!(e.problem, "the file holds 2 orders: #1001, #1002");
        assert!(e.hint.contains("--order-name"), "{}", e.hint);
        let e = parse_order_named("orders_export.csv", &two_orders(), Some("#1003")).expect_err("absent");
        assert_eq!(e.problem, "no order #1003 in the file; it holds #1001, #1002");
        // One order: taken without a name.
        let one: String = two_orders().lines().take(3).map(|l| format!("{l}\n")).collect();
        assert_eq!(parse_order_named("o.csv", &one, None).expect("one order").total, 59.0);
    }

    #[test]
    fn bad_files_name_the_line_and_column() {
        // Cut short in the middle of the second row.
        let full = two_orders();
        let cut = &full[..full.find("Socks").expect("row 3")];
        let e = parse_order_named("o.csv", cut, Some("#1001")).expect_err("truncated");
        assert_eq!(e.place, "line 3");
        assert!(e.problem.contains("cut short"), "{}", e.problem);
        // A header without the figures.
        let e = parse_order_named("o.csv", "Name,Email\n#1001,a@b.c\n", None).expect_err("no Total");
        assert_eq!(e.place, "line 1 (the header)");
        assert_eq!(
            e.problem,
            "not JSON, and not an Orders export CSV: the header has no Currency, Total columns"
        );
        // A Total that is not an amount.
        let bad = full.replace(",59.00,", ",\"59,00\",");
        let e = parse_order_named("o.csv", &bad, Some("#1001")).expect_err("bad total");
        assert_eq!(e.place, "line 2, column 12 (Total)");
        assert_eq!(e.problem, "\"59,00\" is not an amount like 59.00");
        let no_total = full.replace(",59.00,", ",,");
        let e = parse_order_named("o.csv", &no_total, Some("#1001")).expect_err("blank total");
        assert_eq!(e.place, "line 2, column 12 (Total)");
        assert_eq!(e.problem, "the first row of order #1001 has no Total");
    }
}
