//! Arbitrary bytes through `validate_update_v1` with the server's default limits, the check
//! `server/src/ws/decode.rs` runs on every sync step 2 and update before the session sees it.
//!
//! Besides "no panic, no hang, no huge allocation", it checks what the validator promises the
//! server: an accepted update decodes with yrs, and one whose dependencies are met by an empty
//! document (`check_dependencies` with every clock 0) integrates into a fresh document, set up
//! as the server sets up its own, without panicking and without leaving anything pending.
//!
//! It also runs the schema's judgement (`placement`) the way the session does: admitting never
//! panics, the server's own writes are never refused, and an update a client got admitted is
//! admitted again when it comes back as an echo (it changes nothing the second time).
#![no_main]

use libfuzzer_sys::fuzz_target;
use werkplaats_protocol::placement::{Placements, Writer};
use werkplaats_protocol::update::{UpdateLimits, validate_update_v1};
use yrs::updates::decoder::Decode;
use yrs::{Doc, OffsetKind, Options, ReadTxn, Transact, Update};

fuzz_target!(|data: &[u8]| {
    let Ok(summary) = validate_update_v1(data, &UpdateLimits::default()) else {
        return;
    };
    let update = match Update::decode_v1(data) {
        Ok(update) => update,
        Err(err) => panic!("validated update does not decode with yrs: {err}"),
    };
    if summary.check_dependencies(|_| 0).is_err() {
        return;
    }
    let doc = Doc::with_options(Options {
        skip_gc: false,
        offset_kind: OffsetKind::Utf16,
        ..Options::default()
    });
    let mut txn = doc.transact_mut();
    txn.apply_update(update)
        .expect("an update whose dependencies are met applies");
    let store = txn.store();
    assert!(
        store.pending_update().is_none() && store.pending_ds().is_none(),
        "an update whose dependencies are met left something pending"
    );
    drop(txn);

    let client = Writer::Client { max_depth: 64 };
    let mut places = Placements::new();
    assert!(
        places.admit(&summary, data, Writer::Server).is_ok(),
        "the server's own writes are never refused"
    );
    if let Ok(admission) = places.admit(&summary, data, client) {
        places.record(admission);
        for (section, _) in summary.clients.iter().zip(0..) {
            assert!(places.clock(section.client) >= section.content_end.unwrap_or(0));
        }
        if let Err(violation) = places.admit(&summary, data, client) {
            panic!("an admitted update is refused as its own echo: {violation}");
        }
    }
});
