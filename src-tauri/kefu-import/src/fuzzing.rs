//! What the fuzz targets run (`fuzz/`, cargo fuzz on nightly), and the corpus replay in
//! this crate's tests runs on stable: a reader on any bytes, and the report's invariants.

use kefu_core::ShopTime;

use crate::{Parsed, MAX_PROBLEMS};

pub fn csv(data: &[u8]) {
    let whole = crate::rows::read_whole("fuzz.csv", data, ShopTime::SHANGHAI);
    if let Ok(p) = &whole {
        consistent(p);
    }
    // A big export is read in two halves: split anywhere a record ends, it reads the same.
    if let Some(at) = crate::rows::record_boundary(data, data.len() / 2) {
        let two = crate::rows::read_in_two("fuzz.csv", data, at, ShopTime::SHANGHAI);
        assert_eq!(two, whole, "read in two at byte {at}");
    }
}

pub fn xlsx(data: &[u8]) {
    if let Ok(p) = crate::read_xlsx("fuzz.xlsx", data.to_vec(), ShopTime::SHANGHAI) {
        consistent(&p);
    }
}

/// The phrase importer on any bytes (CSV in either encoding, .xlsx, JSON): what it accepts
/// is a set the core would save.
pub fn phrases(data: &[u8]) {
    if let Ok(p) = crate::phrases::read_phrases("fuzz.csv", data) {
        assert_eq!(p.phrases.len() as u64 + p.rejected, p.rows, "rows read");
        assert!(p.problems.len() <= MAX_PROBLEMS);
        for (line, phrase) in &p.phrases {
            assert!(*line >= 1, "lines start at 1");
            assert!(
                phrase.clone().checked().is_ok(),
                "an accepted phrase is valid: {phrase:?}"
            );
        }
    }
}

/// Every row read is an order, an item or a rejection; the problems kept are the first
/// of those counted.
fn consistent(p: &Parsed) {
    assert_eq!(
        p.orders.len() as u64 + p.items.len() as u64 + p.rejected,
        p.rows,
        "rows read"
    );
    assert!(p.problems.len() <= MAX_PROBLEMS);
    assert_eq!(
        p.problems.len() as u64,
        p.rejected.min(MAX_PROBLEMS as u64),
        "problems kept"
    );
    assert!(p.problems.iter().all(|x| x.line >= 1), "lines start at 1");
}
