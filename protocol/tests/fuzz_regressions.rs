//! Inputs the cargo-fuzz targets (`fuzz/`, see `tests/README.md`, "Fuzzing") found, minimised,
//! one test each, so a finding stays fixed without running the fuzzer.

use werkplaats_protocol::update::{UpdateLimits, validate_update_v1};

/// Fuzz finding F1 (`update_validator`, 2026-12-05: LeakSanitizer stopped on the seed
/// `fuzz/seeds/update_validator/subdoc` while loading the corpus; 16 bytes, already minimal):
/// one subdocument item (`ContentDoc`, guid "guid",
/// options `{}`) at the root type "d". The validator accepts it; once yrs 0.28 integrates it,
/// the subdocument and the parent document keep each other alive, so dropping the document
/// (a session unloaded or deleted) frees none of it: LeakSanitizer reports the parent's whole
/// store (`DocStore::new`) as leaked. One 16-byte update thus pins a session's entire document
/// (up to `--max-document-bytes`) for the life of the process. Neither client uses
/// subdocuments, so `validate_update_v1` refuses `ContentDoc` (content ref 9).
#[test]
fn f1_subdocument_item_is_refused() {
    let update = [
        0x01, 0x01, 0x09, 0x00, 0x09, 0x01, 0x01, b'd', 0x04, b'g', b'u', b'i', b'd', 0x76, 0x00,
        0x00,
    ];
    assert!(
        validate_update_v1(&update, &UpdateLimits::default()).is_err(),
        "a subdocument item must be refused (it leaks the document in yrs 0.28)"
    );
}
