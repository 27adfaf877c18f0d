//! The update validator against real yrs output, hand-made hostile updates and fuzzing.
//!
//! yrs is only a dev-dependency: it generates the honest vectors and shows, for each hostile
//! class it can survive being shown, what it does with the update when nobody validates it.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use werkplaats_protocol::lib0::Writer;
use werkplaats_protocol::update::{
    ClockRange, Id, MissingDependency, RefKind, Reference, UpdateError, UpdateLimits,
    UpdateSummary, validate_update_v1,
};
use werkplaats_sys::measure_alloc;
use yrs::types::Attrs;
use yrs::updates::decoder::Decode;
use yrs::{
    Any, Array, ArrayPrelim, Doc, GetString, Map, MapPrelim, ReadTxn, StateVector, Text,
    TextPrelim, Transact, Update, Xml, XmlElementPrelim, XmlFragment, XmlTextPrelim,
};

// ---------------------------------------------------------------------------------------------
// Allocation accounting: a pass-through allocator that, on threads that ask for it, records how
// much is allocated and can refuse large requests (so yrs's fallible reservations can be
// observed without the machine actually handing out gigabytes).

// The allocator lives in werkplaats-sys, the workspace's only crate with unsafe code.
#[global_allocator]
static GLOBAL: werkplaats_sys::Accounting = werkplaats_sys::Accounting;

// ---------------------------------------------------------------------------------------------
// Helpers

fn limits() -> UpdateLimits {
    UpdateLimits::default()
}

fn validate(bytes: &[u8]) -> Result<UpdateSummary, UpdateError> {
    validate_update_v1(bytes, &limits())
}

fn state_vector(doc: &Doc) -> StateVector {
    doc.transact().state_vector()
}

fn known(doc: &Doc) -> impl Fn(u64) -> u32 {
    let sv = state_vector(doc);
    move |client| {
        sv.iter()
            .find(|(c, _)| c.get() == client)
            .map(|(_, clock)| *clock)
            .unwrap_or(0)
    }
}

fn nothing_known(_: u64) -> u32 {
    0
}

/// Applies an update with yrs, reporting decode and apply errors as strings.
fn yrs_apply(doc: &Doc, bytes: &[u8]) -> Result<(), String> {
    let update = Update::decode_v1(bytes).map_err(|e| format!("decode: {e}"))?;
    doc.transact_mut()
        .apply_update(update)
        .map_err(|e| format!("apply: {e}"))
}

fn has_pending(doc: &Doc) -> bool {
    let txn = doc.transact();
    txn.store().pending_update().is_some() || txn.store().pending_ds().is_some()
}

fn full_state(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

/// Runs `f` expecting it to panic; the panic message is printed by the default hook.
fn panics(f: impl FnOnce()) -> bool {
    catch_unwind(AssertUnwindSafe(f)).is_err()
}

// Hand-made update builder.

/// A struct section: client, first clock, encoded structs.
struct Section {
    client: u64,
    clock: u64,
    structs: Vec<Vec<u8>>,
}

fn section(client: u64, clock: u64, structs: Vec<Vec<u8>>) -> Section {
    Section {
        client,
        clock,
        structs,
    }
}

fn encode(sections: &[Section], deletes: &[(u64, &[(u64, u64)])]) -> Vec<u8> {
    let mut w = Writer::new();
    w.write_var_u64(sections.len() as u64);
    for s in sections {
        w.write_var_u64(s.structs.len() as u64)
            .write_var_u64(s.client)
            .write_var_u64(s.clock);
        for st in &s.structs {
            w.write_raw(st);
        }
    }
    w.write_var_u64(deletes.len() as u64);
    for (client, ranges) in deletes {
        w.write_var_u64(*client).write_var_u64(ranges.len() as u64);
        for (clock, len) in *ranges {
            w.write_var_u64(*clock).write_var_u64(*len);
        }
    }
    w.into_bytes()
}

/// Content of a ContentString.
fn string(text: &str) -> Vec<u8> {
    let mut w = Writer::new();
    w.write_var_string(text);
    w.into_bytes()
}

/// An item under the root type `root` (no neighbours), with content ref `kind`.
fn root_item(kind: u8, root: &str, content: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.write_u8(kind)
        .write_var_u64(1)
        .write_var_string(root)
        .write_raw(content);
    w.into_bytes()
}

/// An item inside the type created by `parent` (no neighbours).
fn child_item(kind: u8, parent: (u64, u64), content: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.write_u8(kind)
        .write_var_u64(0)
        .write_var_u64(parent.0)
        .write_var_u64(parent.1)
        .write_raw(content);
    w.into_bytes()
}

/// An item to the right of `origin`.
fn after_item(kind: u8, origin: (u64, u64), content: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.write_u8(0x80 | kind)
        .write_var_u64(origin.0)
        .write_var_u64(origin.1)
        .write_raw(content);
    w.into_bytes()
}

/// An item to the left of `right_origin`.
fn before_item(kind: u8, right_origin: (u64, u64), content: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.write_u8(0x40 | kind)
        .write_var_u64(right_origin.0)
        .write_var_u64(right_origin.1)
        .write_raw(content);
    w.into_bytes()
}

fn gc(len: u64) -> Vec<u8> {
    let mut w = Writer::new();
    w.write_u8(0).write_var_u64(len);
    w.into_bytes()
}

fn skip(len: u64) -> Vec<u8> {
    let mut w = Writer::new();
    w.write_u8(10).write_var_u64(len);
    w.into_bytes()
}

const STRING: u8 = 4;
const EMBED: u8 = 5;
const FORMAT: u8 = 6;
const TYPE: u8 = 7;
const ANY: u8 = 8;

/// A text "t" item from `client` at `clock` with the given text.
fn text_update(client: u64, clock: u64, text: &str) -> Vec<u8> {
    encode(
        &[section(
            client,
            clock,
            vec![root_item(STRING, "t", &string(text))],
        )],
        &[],
    )
}

// ---------------------------------------------------------------------------------------------
// Honest updates, generated by yrs

/// A document as the server should keep it: a deterministic client id, and offsets counted in
/// UTF-16 code units like Yjs does (see
/// `yrs_with_byte_offsets_panics_when_deletes_split_a_surrogate_pair`).
fn peer(client: u64) -> Doc {
    Doc::with_options(yrs::Options {
        client_id: yrs::ClientID::new(client),
        offset_kind: yrs::OffsetKind::Utf16,
        ..yrs::Options::default()
    })
}

/// Runs `edit` on `doc` and returns the incremental update it produced.
fn edit(doc: &Doc, edit: impl FnOnce(&mut yrs::TransactionMut)) -> Vec<u8> {
    let before = state_vector(doc);
    {
        let mut txn = doc.transact_mut();
        edit(&mut txn);
    }
    doc.transact().encode_state_as_update_v1(&before)
}

/// A sequence of honest incremental updates, each meant for a document that has all the
/// previous ones, covering every content kind yrs writes.
fn honest_updates() -> Vec<(&'static str, Vec<u8>)> {
    let a = peer(1);
    let b = peer(2);
    let mut out = Vec::new();
    let sync = |from: &Doc, to: &Doc| {
        let update = from.transact().encode_state_as_update_v1(&state_vector(to));
        yrs_apply(to, &update).expect("honest sync");
    };

    let text = a.get_or_insert_text("text");
    out.push((
        "text insert",
        edit(&a, |txn| text.insert(txn, 0, "hello wörld 😀")),
    ));
    out.push(("text append", edit(&a, |txn| text.insert(txn, 5, ", dear"))));
    out.push(("text delete", edit(&a, |txn| text.remove_range(txn, 2, 4))));

    let map = a.get_or_insert_map("map");
    out.push((
        "map with nested Any",
        edit(&a, |txn| {
            let nested = Any::from(HashMap::from([
                ("list".to_string(), Any::from(vec![Any::from(1), Any::Null])),
                ("float".to_string(), Any::from(1.5)),
                ("big".to_string(), Any::from(1i64 << 60)),
                ("yes".to_string(), Any::Bool(true)),
                ("bytes".to_string(), Any::from(vec![1u8, 2, 3])),
                ("undefined".to_string(), Any::Undefined),
                (
                    "deep".to_string(),
                    Any::from(HashMap::from([(
                        "deeper".to_string(),
                        Any::from(vec![Any::from("x")]),
                    )])),
                ),
            ]));
            map.insert(txn, "config", nested);
            map.insert(txn, "count", 42);
            map.insert(txn, "name", "werkplaats");
        }),
    ));
    out.push((
        "map overwrite",
        edit(&a, |txn| {
            map.insert(txn, "count", 43);
        }),
    ));

    let array = a.get_or_insert_array("array");
    out.push((
        "array values and nested types",
        edit(&a, |txn| {
            array.insert_range(txn, 0, [1, 2, 3]);
            let inner = array.push_back(txn, ArrayPrelim::default());
            inner.push_back(txn, "inside");
            let m = array.push_back(txn, MapPrelim::default());
            m.insert(txn, "k", "v");
            let t = array.push_back(txn, TextPrelim::new("nested text"));
            t.insert(txn, 0, ">");
        }),
    ));
    out.push((
        "array remove",
        edit(&a, |txn| array.remove_range(txn, 1, 2)),
    ));

    let xml = a.get_or_insert_xml_fragment("xml");
    out.push((
        "xml",
        edit(&a, |txn| {
            let div = xml.push_back(txn, XmlElementPrelim::empty("div"));
            div.insert_attribute(txn, "class", "note");
            let p = div.push_back(txn, XmlElementPrelim::empty("p"));
            let txt = p.push_back(txn, XmlTextPrelim::new("para"));
            txt.insert(txn, 4, "graph");
            xml.push_back(txn, XmlTextPrelim::new("tail"));
        }),
    ));

    let rich = a.get_or_insert_text("rich");
    out.push((
        "formats and embeds",
        edit(&a, |txn| {
            let bold = Attrs::from([(Arc::from("bold"), Any::Bool(true))]);
            rich.insert_with_attributes(txn, 0, "bold text", bold);
            let link = Attrs::from([(
                Arc::from("link"),
                Any::from(HashMap::from([(
                    "href".to_string(),
                    Any::from("https://example.org"),
                )])),
            )]);
            rich.format(txn, 0, 4, link);
            let image = Any::from(HashMap::from([("image".to_string(), Any::from("cat.png"))]));
            rich.insert_embed(txn, 4, image);
        }),
    ));

    // A second peer edits concurrently: origins and right origins across clients.
    sync(&a, &b);
    let text_b = b.get_or_insert_text("text");
    out.push((
        "second client between existing chars",
        edit(&b, |txn| text_b.insert(txn, 3, "[b]")),
    ));
    sync(&b, &a);
    out.push((
        "delete of another client's text",
        edit(&a, |txn| text.remove_range(txn, 2, 3)),
    ));

    // Deleting a type with content garbage-collects its children into GC structs.
    out.push((
        "delete nested types (gc)",
        edit(&a, |txn| {
            let len = array.len(txn);
            array.remove_range(txn, 0, len);
        }),
    ));
    out
}

#[test]
fn honest_yrs_updates_pass_and_apply() {
    let updates = honest_updates();
    let receiver = peer(100);
    for (name, bytes) in &updates {
        let summary = validate(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        summary
            .check_dependencies(known(&receiver))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        yrs_apply(&receiver, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!has_pending(&receiver), "{name} left pending state");
    }
    // The receiver's own full state validates too; after the last delete it has GC structs
    // (the children of the deleted types), XML, formats and an embed.
    let state = full_state(&receiver);
    let decoded = format!("{:?}", Update::decode_v1(&state).unwrap());
    assert!(decoded.contains("gc("), "{decoded}");
    let summary = validate(&state).expect("full state");
    summary
        .check_dependencies(nothing_known)
        .expect("full state");
    assert_eq!(summary.clients.len(), 2);
    assert!(summary.struct_count > 20);
}

/// Subdocuments are refused: yrs 0.28 never frees a document that holds one (a fuzz finding;
/// see `protocol/tests/fuzz_regressions.rs`).
#[test]
fn subdocuments_are_refused() {
    let a = peer(1);
    let docs = a.get_or_insert_map("docs");
    let update = edit(&a, |txn| {
        docs.insert(txn, "sub", Doc::new());
    });
    assert!(matches!(
        validate(&update),
        Err(UpdateError::Unsupported { what, .. }) if what.contains("subdocument")
    ));
}

#[test]
fn incremental_updates_need_their_predecessors() {
    let updates = honest_updates();
    // "text append" continues client 1 at the clock where "text insert" ended: 14 UTF-16 units.
    let (_, append) = &updates[1];
    let summary = validate(append).unwrap();
    assert_eq!(
        summary.check_dependencies(nothing_known),
        Err(MissingDependency::Gap {
            client: 1,
            start: 14,
            known: 0
        })
    );
}

#[test]
fn summary_of_a_text_insert() {
    let a = peer(7);
    let text = a.get_or_insert_text("t");
    let first = edit(&a, |txn| text.insert(txn, 0, "abc"));
    let summary = validate(&first).unwrap();
    assert_eq!(summary.clients.len(), 1);
    let c = &summary.clients[0];
    assert_eq!((c.client, c.start, c.end), (7, 0, 3));
    assert_eq!(c.content_end, Some(3));
    assert!(c.skips.is_empty());
    assert!(c.references.is_empty(), "a root item refers to nothing");
    assert!(summary.deletes.is_empty());

    let second = edit(&a, |txn| text.insert(txn, 1, "XY"));
    let summary = validate(&second).unwrap();
    let c = &summary.clients[0];
    assert_eq!((c.start, c.end), (3, 5));
    assert_eq!(
        c.references,
        vec![
            Reference {
                item: ClockRange { start: 3, end: 5 },
                kind: RefKind::Origin,
                target: Id {
                    client: 7,
                    clock: 0
                }
            },
            Reference {
                item: ClockRange { start: 3, end: 5 },
                kind: RefKind::RightOrigin,
                target: Id {
                    client: 7,
                    clock: 1
                }
            },
        ]
    );

    let third = edit(&a, |txn| text.remove_range(txn, 0, 2));
    let summary = validate(&third).unwrap();
    assert!(summary.clients.is_empty());
    assert_eq!(summary.deletes.len(), 1);
    assert_eq!(summary.deletes[0].client, 7);
    assert_eq!(
        summary.deletes[0].ranges,
        vec![
            ClockRange { start: 0, end: 1 },
            ClockRange { start: 3, end: 4 }
        ]
    );
}

#[test]
fn summary_of_nested_types_names_the_parent() {
    let a = peer(3);
    let map = a.get_or_insert_map("m");
    let update = edit(&a, |txn| {
        let inner = map.insert(txn, "inner", MapPrelim::default());
        inner.insert(txn, "k", 1);
    });
    let summary = validate(&update).unwrap();
    let c = &summary.clients[0];
    assert_eq!((c.start, c.end), (0, 2));
    assert_eq!(
        c.references,
        vec![Reference {
            item: ClockRange { start: 1, end: 2 },
            kind: RefKind::Parent,
            target: Id {
                client: 3,
                clock: 0
            }
        }]
    );
}

#[test]
fn summary_keeps_skips_apart() {
    // Merging two updates with a hole between them gives a Skip.
    let a = peer(5);
    let text = a.get_or_insert_text("t");
    let first = edit(&a, |txn| text.insert(txn, 0, "ab"));
    let _hole = edit(&a, |txn| text.insert(txn, 2, "cd"));
    let third = edit(&a, |txn| text.insert(txn, 4, "ef"));
    let merged = yrs::merge_updates_v1([first.as_slice(), third.as_slice()]).unwrap();
    let summary = validate(&merged).unwrap();
    let c = &summary.clients[0];
    assert_eq!((c.start, c.end), (0, 6));
    assert_eq!(c.skips, vec![ClockRange { start: 2, end: 4 }]);
    assert_eq!(c.content_end, Some(6));
    // A document without the hole's content cannot take it ...
    assert_eq!(
        summary.check_dependencies(nothing_known),
        Err(MissingDependency::UnknownSkip {
            client: 5,
            skip: ClockRange { start: 2, end: 4 },
            known: 0
        })
    );
    // ... one that has it can.
    summary.check_dependencies(|_| 4).unwrap();
}

#[test]
fn gc_structs_are_parsed() {
    let update = encode(
        &[section(
            9,
            0,
            vec![gc(3), root_item(STRING, "t", &string("x"))],
        )],
        &[(9, &[(0, 3)])],
    );
    let summary = validate(&update).unwrap();
    assert_eq!(summary.clients[0].end, 4);
    summary.check_dependencies(nothing_known).unwrap();
    let doc = peer(1);
    yrs_apply(&doc, &update).unwrap();
    assert!(!has_pending(&doc));
}

// ---------------------------------------------------------------------------------------------
// Hostile: truncation, huge lengths, overflow, nesting

#[test]
fn every_truncation_is_refused() {
    for (name, bytes) in honest_updates() {
        for cut in 0..bytes.len() {
            assert!(
                validate(&bytes[..cut]).is_err(),
                "{name} cut at {cut} was accepted"
            );
        }
    }
}

/// 20-byte (or so) updates that promise far more than they carry.
fn length_bombs() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let mut w = Writer::new();
    w.write_var_u64(u32::MAX as u64);
    out.push(("2^32 client sections", w.into_bytes()));

    let mut w = Writer::new();
    w.write_var_u64(1)
        .write_var_u64(u32::MAX as u64)
        .write_var_u64(1)
        .write_var_u64(0);
    out.push(("2^32 structs", w.into_bytes()));

    let mut w = Writer::new();
    w.write_var_u64(1)
        .write_var_u64(1)
        .write_var_u64(1)
        .write_var_u64(0)
        .write_u8(ANY)
        .write_var_u64(1)
        .write_var_string("t")
        .write_var_u64(1 << 28);
    out.push(("2^28 Any values", w.into_bytes()));

    let mut w = Writer::new();
    w.write_var_u64(1)
        .write_var_u64(1)
        .write_var_u64(1)
        .write_var_u64(0)
        .write_u8(ANY)
        .write_var_u64(1)
        .write_var_string("t")
        .write_var_u64(1)
        .write_u8(117)
        .write_var_u64(1 << 40);
    out.push(("2^40-entry Any array", w.into_bytes()));

    let mut w = Writer::new();
    w.write_var_u64(1)
        .write_var_u64(1)
        .write_var_u64(1)
        .write_var_u64(0)
        .write_u8(ANY)
        .write_var_u64(1)
        .write_var_string("t")
        .write_var_u64(1)
        .write_u8(118)
        .write_var_u64(1 << 28);
    out.push(("2^28-entry Any map", w.into_bytes()));

    let mut w = Writer::new();
    w.write_var_u64(1)
        .write_var_u64(1)
        .write_var_u64(1)
        .write_var_u64(0)
        .write_u8(STRING)
        .write_var_u64(1)
        .write_var_string("t")
        .write_var_u64(u32::MAX as u64);
    out.push(("4 GiB string", w.into_bytes()));

    let mut w = Writer::new();
    w.write_var_u64(0).write_var_u64(u32::MAX as u64);
    out.push(("2^32 delete set clients", w.into_bytes()));

    let mut w = Writer::new();
    w.write_var_u64(0)
        .write_var_u64(1)
        .write_var_u64(1)
        .write_var_u64(u32::MAX as u64);
    out.push(("2^32 delete ranges", w.into_bytes()));
    out
}

#[test]
fn promised_lengths_are_refused_in_microseconds_without_allocating() {
    for (name, bytes) in length_bombs() {
        assert!(bytes.len() <= 20, "{name} is {} bytes", bytes.len());
        let (result, stats) = measure_alloc(usize::MAX, || validate(&bytes));
        let err = result.expect_err(name);
        assert!(
            matches!(
                err,
                UpdateError::Decode(_) | UpdateError::LimitExceeded { .. }
            ),
            "{name}: {err}"
        );
        assert!(stats.total < 1024, "{name}: validation allocated {stats:?}");

        let runs = 1_000;
        let started = Instant::now();
        for _ in 0..runs {
            let _ = std::hint::black_box(validate(std::hint::black_box(&bytes)));
        }
        let each = started.elapsed() / runs;
        // Microseconds even in an unoptimised build on a busy machine.
        assert!(each < Duration::from_micros(100), "{name}: {each:?} each");
    }
}

#[test]
fn yrs_reserves_what_a_length_bomb_promises() {
    // Without validation yrs asks the allocator for the promised size before finding out that
    // the bytes are not there. The accounting allocator refuses anything above 64 MiB (so yrs's
    // try_reserve fails cleanly instead of the machine handing out virtual gigabytes) and records
    // the largest request.
    let mut worst = 0usize;
    for (name, bytes) in length_bombs() {
        let (result, stats) = measure_alloc(64 << 20, || Update::decode_v1(&bytes).map(|_| ()));
        assert!(result.is_err(), "{name}");
        println!(
            "yrs on {name}: largest allocation request {} bytes",
            stats.largest
        );
        worst = worst.max(stats.largest);
    }
    assert!(worst > 1 << 30, "yrs asked for at most {worst} bytes");
}

#[test]
fn clock_overflow_is_refused() {
    // A struct at clock 2^32-2 of length 3 would end past u32::MAX.
    let bytes = text_update(7, u32::MAX as u64 - 1, "abc");
    let lax = UpdateLimits {
        max_clock: u32::MAX,
        ..limits()
    };
    assert!(matches!(
        validate_update_v1(&bytes, &lax),
        Err(UpdateError::ClockOverflow { client: 7, .. })
    ));
    // Clocks beyond 2^31 are refused by default (yrs does i32 arithmetic on them).
    assert!(matches!(
        validate(&text_update(7, 1 << 31, "a")),
        Err(UpdateError::ClockOverflow { .. })
    ));
    // So is a clock that does not fit u32 at all, and a delete range that overflows.
    assert!(matches!(
        validate(&text_update(7, 1 << 32, "a")),
        Err(UpdateError::Decode(_))
    ));
    assert!(matches!(
        validate(&encode(&[], &[(7, &[(u32::MAX as u64, 2)])])),
        Err(UpdateError::ClockOverflow { .. })
    ));
}

#[test]
fn yrs_panics_on_clock_overflow() {
    // yrs adds the lengths up in u32: with overflow checks (debug builds) that is a panic inside
    // Update::decode, in release builds the clock silently wraps.
    let bytes = text_update(7, u32::MAX as u64 - 1, "abc");
    let panicked = panics(|| {
        let _ = Update::decode_v1(&bytes);
    });
    assert_eq!(panicked, cfg!(debug_assertions));
}

#[test]
fn client_ids_above_2_pow_53_are_refused() {
    let too_big = 1u64 << 53;
    assert!(matches!(
        validate(&text_update(too_big, 0, "a")),
        Err(UpdateError::ClientTooLarge { client, .. }) if client == too_big
    ));
    // In references and in the delete set too.
    let as_origin = encode(
        &[section(
            1,
            0,
            vec![after_item(STRING, (too_big, 0), &string("a"))],
        )],
        &[],
    );
    assert!(matches!(
        validate(&as_origin),
        Err(UpdateError::ClientTooLarge { .. })
    ));
    assert!(matches!(
        validate(&encode(&[], &[(too_big, &[(0, 1)])])),
        Err(UpdateError::ClientTooLarge { .. })
    ));
    // The largest safe id is fine.
    validate(&text_update(too_big - 1, 0, "a")).unwrap();
}

#[test]
fn yrs_panics_on_client_ids_above_2_pow_53() {
    // yrs keeps 53-bit ids with a debug assertion; release builds mask the high bits away, so
    // the update would be attributed to another client.
    let bytes = text_update(1 << 60, 0, "abc");
    let panicked = panics(|| {
        let _ = Update::decode_v1(&bytes);
    });
    assert_eq!(panicked, cfg!(debug_assertions));
}

/// An Any item whose single value is `depth` arrays nested in each other.
fn nested_any(depth: usize) -> Vec<u8> {
    let mut content = Writer::new();
    content.write_var_u64(1);
    for _ in 0..depth {
        content.write_u8(117).write_var_u64(1);
    }
    content.write_u8(126);
    encode(
        &[section(
            1,
            0,
            vec![root_item(ANY, "m", &content.into_bytes())],
        )],
        &[],
    )
}

#[test]
fn any_nested_100k_deep_is_refused_quickly() {
    // yrs decodes (and drops) Any recursively: this would overflow its stack and abort the
    // process, so it is not run through yrs here.
    let bytes = nested_any(100_000);
    let started = Instant::now();
    let (result, stats) = measure_alloc(usize::MAX, || validate(&bytes));
    let elapsed = started.elapsed();
    assert!(
        matches!(
            result,
            Err(UpdateError::LimitExceeded {
                what: "nested Any levels",
                ..
            })
        ),
        "{result:?}"
    );
    assert!(elapsed < Duration::from_millis(50), "{elapsed:?}");
    assert!(stats.total < 64 * 1024, "{stats:?}");
    // At the limit it is fine, one more is not.
    let depth = limits().max_any_depth;
    validate(&nested_any(depth)).unwrap();
    assert!(validate(&nested_any(depth + 1)).is_err());
    yrs_apply(&peer(2), &nested_any(depth)).unwrap();
}

/// An embed whose JSON is `depth` arrays deep.
fn nested_json_embed(depth: usize) -> Vec<u8> {
    let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let mut content = Writer::new();
    content.write_var_string(&json);
    encode(
        &[section(
            1,
            0,
            vec![root_item(EMBED, "t", &content.into_bytes())],
        )],
        &[],
    )
}

#[test]
fn deep_json_is_refused() {
    let started = Instant::now();
    let result = validate(&nested_json_embed(100_000));
    assert!(
        matches!(result, Err(UpdateError::InvalidJson { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(50));
    let depth = limits().max_json_depth;
    validate(&nested_json_embed(depth)).unwrap();
    assert!(validate(&nested_json_embed(depth + 1)).is_err());
}

#[test]
fn json_that_yrs_would_not_parse_is_refused() {
    let embed = |json: &str| {
        let mut content = Writer::new();
        content.write_var_string(json);
        encode(
            &[section(
                1,
                0,
                vec![root_item(EMBED, "t", &content.into_bytes())],
            )],
            &[],
        )
    };
    for good in [
        "{\"a\":[1,-2,3.5e3,true,null,\"s\\u00e9\"]}",
        "  \"padded\"  ",
        "9223372036854775807",
        "1e300",
    ] {
        let bytes = embed(good);
        validate(&bytes).unwrap_or_else(|e| panic!("{good}: {e}"));
        yrs_apply(&peer(2), &bytes).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    for bad in [
        "",
        "{",
        "[1,]",
        "undefined",
        "NaN",
        "1 2",
        "18446744073709551615", // beyond i64: yrs's Any refuses it
        "1e400",
        "\"\\ud800\"", // a lone surrogate
    ] {
        let bytes = embed(bad);
        assert!(
            matches!(validate(&bytes), Err(UpdateError::InvalidJson { .. })),
            "{bad} was accepted"
        );
        assert!(yrs_apply(&peer(2), &bytes).is_err(), "yrs took {bad}");
    }
}

#[test]
fn nested_shared_types_in_one_update_are_bounded() {
    // A chain of maps, each the only entry of the previous one. yrs deletes nested types
    // recursively, so a chain of some ten thousand levels overflows a 2 MiB stack as soon as its
    // outermost map is deleted (by this or any later update).
    let chain = |depth: u64| {
        let mut structs = vec![root_item(TYPE, "m", &[1])];
        for clock in 1..depth {
            let mut w = Writer::new();
            w.write_u8(0x20 | TYPE)
                .write_var_u64(0)
                .write_var_u64(1)
                .write_var_u64(clock - 1)
                .write_var_string("k")
                .write_u8(1);
            structs.push(w.into_bytes());
        }
        encode(&[section(1, 0, structs)], &[])
    };
    let max = limits().max_type_nesting as u64;
    let ok = chain(max);
    validate(&ok)
        .unwrap()
        .check_dependencies(nothing_known)
        .unwrap();
    yrs_apply(&peer(2), &ok).unwrap();
    assert!(matches!(
        validate(&chain(max + 1)),
        Err(UpdateError::LimitExceeded {
            what: "nested shared types",
            ..
        })
    ));
    assert!(validate(&chain(20_000)).is_err());

    // Nesting through an implicit parent (an origin inside the outer type) counts too.
    let mut structs = vec![root_item(TYPE, "m", &[0])];
    for level in 0..=max {
        let base = level * 2;
        // a string inside type `base`, then a type after it (its parent comes from the origin)
        structs.push(child_item(STRING, (1, base), &string("s")));
        structs.push(after_item(TYPE, (1, base + 1), &[0]));
    }
    assert!(matches!(
        validate(&encode(&[section(1, 0, structs)], &[])),
        Err(UpdateError::LimitExceeded {
            what: "nested shared types",
            ..
        })
    ));
}

// ---------------------------------------------------------------------------------------------
// Hostile: unknown or ambiguous encodings

#[test]
fn unknown_content_refs_are_refused() {
    for info in [11u8, 12, 15, 16, 17, 25, 31, 0x80 | 11, 0x40 | 31] {
        let bytes = encode(
            &[section(1, 0, vec![root_item(info, "t", &string("abc"))])],
            &[],
        );
        assert!(
            matches!(validate(&bytes), Err(UpdateError::InvalidInfo { .. })),
            "info {info:#x}"
        );
    }
    // GC and Skip with item flags: Yjs masks the flags off, yrs reads an item. Refused.
    for info in [0x20u8, 0x80, 0x2a, 0x4a] {
        let mut w = Writer::new();
        w.write_u8(info).write_var_u64(1);
        let bytes = encode(&[section(1, 0, vec![w.into_bytes()])], &[]);
        assert!(
            matches!(validate(&bytes), Err(UpdateError::InvalidInfo { .. })),
            "info {info:#x}"
        );
    }
}

#[test]
fn yrs_reads_content_ref_17_as_deleted_content() {
    // Yjs dispatches on the low five bits (17 is no content kind), yrs on the low four (1:
    // ContentDeleted): the same bytes mean different things, so the validator refuses them.
    let bytes = encode(&[section(1, 0, vec![root_item(17, "t", &[3])])], &[]);
    assert!(Update::decode_v1(&bytes).is_ok());
    assert!(validate(&bytes).is_err());
}

#[test]
fn unknown_type_refs_are_refused() {
    for type_ref in [7u8, 8, 9, 10, 15, 16, 127, 200] {
        let bytes = encode(
            &[section(1, 0, vec![root_item(TYPE, "m", &[type_ref])])],
            &[],
        );
        assert!(
            matches!(
                validate(&bytes),
                Err(UpdateError::UnknownTypeRef { type_ref: t, .. }) if t == type_ref
            ),
            "type ref {type_ref}"
        );
    }
    // The ones Yjs and yrs share are fine (XmlElement carries a name).
    for content in [vec![0u8], vec![1], vec![2], vec![4], vec![6], {
        let mut v = vec![3u8];
        v.extend(string("p"));
        v
    }] {
        let bytes = encode(&[section(1, 0, vec![root_item(TYPE, "m", &content)])], &[]);
        validate(&bytes).unwrap();
        yrs_apply(&peer(2), &bytes).unwrap();
    }
}

#[test]
fn yjs_xml_hooks_are_refused_because_yrs_misreads_them() {
    // Yjs writes `typeRef 5, hookName`; yrs 0.28 reads no name and takes the name's bytes for
    // whatever follows.
    let mut hook = vec![5u8];
    hook.extend(string("hook"));
    let bytes = encode(&[section(1, 0, vec![root_item(TYPE, "m", &hook)])], &[]);
    assert!(matches!(
        validate(&bytes),
        Err(UpdateError::Unsupported {
            what: "Y.XmlHook",
            ..
        })
    ));
    assert!(Update::decode_v1(&bytes).is_err());
}

#[test]
fn legacy_content_json_is_refused_because_yrs_misreads_it() {
    // Yjs writes `len` strings; yrs 0.28 reads `len + 1`.
    let mut content = Writer::new();
    content.write_var_u64(1).write_var_string("\"a\"");
    let bytes = encode(
        &[section(
            1,
            0,
            vec![root_item(2, "a", &content.into_bytes())],
        )],
        &[],
    );
    assert!(matches!(
        validate(&bytes),
        Err(UpdateError::Unsupported {
            what: "legacy ContentJSON",
            ..
        })
    ));
    assert!(Update::decode_v1(&bytes).is_err());
}

#[test]
fn trailing_bytes_are_refused() {
    let mut bytes = text_update(1, 0, "abc");
    validate(&bytes).unwrap();
    bytes.push(0);
    assert_eq!(
        validate(&bytes).unwrap_err(),
        UpdateError::TrailingBytes {
            at: bytes.len() - 1,
            count: 1
        }
    );
    // yrs ignores them.
    yrs_apply(&peer(2), &bytes).unwrap();
}

#[test]
fn invalid_utf8_is_refused_everywhere() {
    let bad = [0x02u8, 0xc3, 0x28];
    let any_string = {
        let mut v = vec![1u8, 119];
        v.extend(bad);
        v
    };
    let any_key = {
        let mut v = vec![1u8, 118, 1];
        v.extend(bad);
        v.push(126);
        v
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("string content", root_item(STRING, "t", &bad)),
        ("root name", {
            let mut w = Writer::new();
            w.write_u8(STRING).write_var_u64(1).write_raw(&bad);
            let mut v = w.into_bytes();
            v.extend(string("a"));
            v
        }),
        ("parent sub", {
            let mut w = Writer::new();
            w.write_u8(0x20 | STRING)
                .write_var_u64(1)
                .write_var_string("m")
                .write_raw(&bad);
            let mut v = w.into_bytes();
            v.extend(string("a"));
            v
        }),
        ("format key", {
            let mut v = bad.to_vec();
            v.extend(string("true"));
            root_item(FORMAT, "t", &v)
        }),
        ("xml element name", {
            let mut v = vec![3u8];
            v.extend(bad);
            root_item(TYPE, "x", &v)
        }),
        ("any string", root_item(ANY, "m", &any_string)),
        ("any key", root_item(ANY, "m", &any_key)),
        ("embed json", root_item(EMBED, "t", &bad)),
    ];
    for (name, item) in cases {
        let bytes = encode(&[section(1, 0, vec![item])], &[]);
        let err = validate(&bytes).unwrap_err();
        assert!(
            matches!(
                err,
                UpdateError::Decode(werkplaats_protocol::lib0::DecodeError::InvalidUtf8(_))
            ),
            "{name}: {err}"
        );
    }
}

#[test]
fn empty_structs_are_refused() {
    for (name, st) in [
        ("gc", gc(0)),
        ("skip", skip(0)),
        ("string", root_item(STRING, "t", &string(""))),
        ("deleted", root_item(1, "t", &[0])),
        ("any", root_item(ANY, "t", &[0])),
    ] {
        let bytes = encode(&[section(1, 0, vec![st])], &[]);
        assert!(
            matches!(validate(&bytes), Err(UpdateError::Empty { .. })),
            "{name}"
        );
    }
    assert!(matches!(
        validate(&encode(&[], &[(1, &[(0, 0)])])),
        Err(UpdateError::Empty { .. })
    ));
}

#[test]
fn duplicate_clients_and_unsorted_deletes_are_refused() {
    let twice = encode(
        &[
            section(1, 0, vec![root_item(STRING, "t", &string("a"))]),
            section(1, 1, vec![root_item(STRING, "t", &string("b"))]),
        ],
        &[],
    );
    assert!(matches!(
        validate(&twice),
        Err(UpdateError::DuplicateClient { client: 1, .. })
    ));
    assert!(matches!(
        validate(&encode(&[], &[(1, &[(0, 1)]), (1, &[(2, 1)])])),
        Err(UpdateError::DuplicateClient { client: 1, .. })
    ));
    assert!(matches!(
        validate(&encode(&[], &[(1, &[(5, 1), (2, 1)])])),
        Err(UpdateError::UnsortedDeleteRanges { client: 1, .. })
    ));
    assert!(matches!(
        validate(&encode(&[], &[(1, &[(0, 3), (2, 1)])])),
        Err(UpdateError::UnsortedDeleteRanges { client: 1, .. })
    ));
    // Adjacent ranges are fine.
    validate(&encode(&[], &[(1, &[(0, 2), (2, 1)])])).unwrap();
}

#[test]
fn parent_info_other_than_0_or_1_is_refused() {
    let mut w = Writer::new();
    w.write_u8(STRING)
        .write_var_u64(2)
        .write_var_u64(1)
        .write_var_u64(0)
        .write_var_string("a");
    let bytes = encode(&[section(1, 0, vec![w.into_bytes()])], &[]);
    assert!(matches!(
        validate(&bytes),
        Err(UpdateError::InvalidParentInfo { value: 2, .. })
    ));
}

#[test]
fn any_integers_beyond_the_safe_range_are_refused() {
    let mut content = Writer::new();
    content.write_var_u64(1).write_u8(125);
    // lib0 signed varint of 2^53: six bits in the first byte, then sevens.
    let value: u64 = 1 << 53;
    content.write_u8(0x80 | (value & 0x3f) as u8);
    let mut rest = value >> 6;
    while rest > 0x7f {
        content.write_u8(0x80 | (rest & 0x7f) as u8);
        rest >>= 7;
    }
    content.write_u8(rest as u8);
    let bytes = encode(
        &[section(
            1,
            0,
            vec![root_item(ANY, "m", &content.into_bytes())],
        )],
        &[],
    );
    assert!(matches!(
        validate(&bytes),
        Err(UpdateError::IntegerOutOfRange { .. })
    ));
}

#[test]
fn limits_are_enforced() {
    let tight = UpdateLimits {
        max_bytes: 64,
        max_clients: 1,
        max_structs: 2,
        max_delete_ranges: 1,
        ..limits()
    };
    assert!(matches!(
        validate_update_v1(&[0; 65], &tight),
        Err(UpdateError::TooLarge { len: 65, limit: 64 })
    ));
    let two_clients = encode(
        &[
            section(1, 0, vec![root_item(STRING, "t", &string("a"))]),
            section(2, 0, vec![root_item(STRING, "t", &string("b"))]),
        ],
        &[],
    );
    assert!(matches!(
        validate_update_v1(&two_clients, &tight),
        Err(UpdateError::LimitExceeded {
            what: "client sections",
            ..
        })
    ));
    let three_structs = encode(&[section(1, 0, vec![gc(1), gc(1), gc(1)])], &[]);
    assert!(matches!(
        validate_update_v1(&three_structs, &tight),
        Err(UpdateError::LimitExceeded {
            what: "structs",
            ..
        })
    ));
    let two_ranges = encode(&[], &[(1, &[(0, 1), (4, 1)])]);
    assert!(matches!(
        validate_update_v1(&two_ranges, &tight),
        Err(UpdateError::LimitExceeded {
            what: "delete ranges",
            ..
        })
    ));
}

#[test]
fn errors_say_where() {
    let mut bytes = text_update(1, 0, "abc");
    let at = bytes.len() - 5; // the string's length prefix
    bytes[at] = 100;
    let message = validate(&bytes).unwrap_err().to_string();
    assert!(message.contains(&format!("byte {at}")), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Hostile: missing dependencies

#[test]
fn yrs_papers_over_a_clock_gap_with_a_skip() {
    // Client 7's first struct at clock 5: no dependency yrs checks, so yrs integrates it behind a
    // Skip hole. The document now shows the text but its state vector claims nothing from client
    // 7, so every sync re-sends it, and the real clocks 0..5 can no longer be told apart from it.
    let bytes = text_update(7, 5, "abc");
    let doc = peer(1);
    yrs_apply(&doc, &bytes).unwrap();
    assert_eq!(
        doc.get_or_insert_text("t").get_string(&doc.transact()),
        "abc"
    );
    assert_eq!(state_vector(&doc).get(&yrs::ClientID::new(7)), 0);

    let summary = validate(&bytes).unwrap();
    assert_eq!(
        summary.check_dependencies(known(&peer(1))),
        Err(MissingDependency::Gap {
            client: 7,
            start: 5,
            known: 0
        })
    );
    // A document that has clocks 0..5 of client 7 takes it.
    summary.check_dependencies(|_| 5).unwrap();
}

#[test]
fn yrs_keeps_an_update_with_a_missing_origin_pending() {
    let bytes = encode(
        &[section(
            7,
            0,
            vec![after_item(STRING, (9, 3), &string("abc"))],
        )],
        &[],
    );
    let doc = peer(1);
    yrs_apply(&doc, &bytes).unwrap();
    assert!(doc.transact().store().pending_update().is_some());
    // ... and ships it to every client that syncs from now on.
    assert!(
        validate(&full_state(&doc))
            .unwrap()
            .clients
            .iter()
            .any(|c| c.client == 7)
    );

    let summary = validate(&bytes).unwrap();
    assert_eq!(
        summary.check_dependencies(nothing_known),
        Err(MissingDependency::Reference {
            item: Id {
                client: 7,
                clock: 0
            },
            kind: RefKind::Origin,
            target: Id {
                client: 9,
                clock: 3
            }
        })
    );
    summary
        .check_dependencies(|c| if c == 9 { 4 } else { 0 })
        .unwrap();
}

#[test]
fn yrs_keeps_a_delete_of_unknown_clocks_pending() {
    let bytes = encode(&[], &[(9, &[(3, 2)])]);
    let doc = peer(1);
    yrs_apply(&doc, &bytes).unwrap();
    assert!(doc.transact().store().pending_ds().is_some());

    let summary = validate(&bytes).unwrap();
    assert_eq!(
        summary.check_dependencies(nothing_known),
        Err(MissingDependency::Delete {
            client: 9,
            range: ClockRange { start: 3, end: 5 },
            known: 0
        })
    );
    summary.check_dependencies(|_| 5).unwrap();
}

#[test]
fn deletes_may_cover_what_the_update_itself_adds() {
    let bytes = encode(
        &[section(
            9,
            0,
            vec![root_item(STRING, "t", &string("abcde"))],
        )],
        &[(9, &[(3, 2)])],
    );
    validate(&bytes)
        .unwrap()
        .check_dependencies(nothing_known)
        .unwrap();
    let doc = peer(1);
    yrs_apply(&doc, &bytes).unwrap();
    assert!(!has_pending(&doc));
    assert_eq!(
        doc.get_or_insert_text("t").get_string(&doc.transact()),
        "abc"
    );
}

#[test]
fn references_must_point_backwards_or_into_the_document() {
    // An item that names its own (later) clock as origin, and two clients that wait on each
    // other: both end up pending in yrs although every target lies "within the update".
    let self_ref = encode(
        &[section(
            7,
            0,
            vec![
                root_item(STRING, "t", &string("ab")),
                after_item(STRING, (7, 3), &string("cd")),
            ],
        )],
        &[],
    );
    let cycle = encode(
        &[
            section(8, 0, vec![after_item(STRING, (7, 0), &string("x"))]),
            section(7, 0, vec![after_item(STRING, (8, 0), &string("y"))]),
        ],
        &[],
    );
    for (name, bytes) in [("self reference", self_ref), ("cycle", cycle)] {
        let doc = peer(1);
        yrs_apply(&doc, &bytes).unwrap();
        assert!(has_pending(&doc), "{name}: yrs integrated it");
        let summary = validate(&bytes).unwrap();
        assert!(
            matches!(
                summary.check_dependencies(nothing_known),
                Err(MissingDependency::Reference { .. })
            ),
            "{name}"
        );
    }

    // Dependencies in any order inside the update are fine as long as they are acyclic:
    // client 8 (written first) depends on client 7, which depends on the root.
    let chained = encode(
        &[
            section(8, 0, vec![after_item(STRING, (7, 1), &string("x"))]),
            section(7, 0, vec![root_item(STRING, "t", &string("ab"))]),
        ],
        &[],
    );
    validate(&chained)
        .unwrap()
        .check_dependencies(nothing_known)
        .unwrap();
    let doc = peer(1);
    yrs_apply(&doc, &chained).unwrap();
    assert!(!has_pending(&doc));
}

#[test]
fn partially_known_items_still_need_their_right_origin() {
    // The document has client 7 up to clock 2; the update re-sends 0..4 in one item whose right
    // origin (9:0) is unknown. yrs cuts the known part off and waits for 9:0.
    let doc = peer(1);
    yrs_apply(&doc, &text_update(7, 0, "ab")).unwrap();
    let bytes = encode(
        &[section(
            7,
            0,
            vec![before_item(STRING, (9, 0), &string("abcd"))],
        )],
        &[],
    );
    let summary = validate(&bytes).unwrap();
    assert!(matches!(
        summary.check_dependencies(known(&doc)),
        Err(MissingDependency::Reference {
            kind: RefKind::RightOrigin,
            ..
        })
    ));
    yrs_apply(&doc, &bytes).unwrap();
    assert!(has_pending(&doc));

    // Fully known items are skipped by yrs whatever they refer to.
    let doc = peer(1);
    yrs_apply(&doc, &text_update(7, 0, "abcd")).unwrap();
    validate(&bytes)
        .unwrap()
        .check_dependencies(known(&doc))
        .unwrap();
    yrs_apply(&doc, &bytes).unwrap();
    assert!(!has_pending(&doc));
}

#[test]
fn parents_inside_the_update_must_be_types() {
    // 1:0 is a string; an item naming it as parent is refused. A type or deleted content is fine.
    for (parent, ok) in [
        (root_item(STRING, "t", &string("a")), false),
        (root_item(TYPE, "m", &[1]), true),
        (root_item(1, "t", &[1]), true),
    ] {
        let bytes = encode(
            &[section(
                1,
                0,
                vec![parent, child_item(STRING, (1, 0), &string("b"))],
            )],
            &[],
        );
        let result = validate(&bytes);
        if ok {
            result.unwrap().check_dependencies(nothing_known).unwrap();
            let doc = peer(2);
            yrs_apply(&doc, &bytes).unwrap();
            assert!(!has_pending(&doc));
        } else {
            assert!(matches!(
                result,
                Err(UpdateError::InvalidParent {
                    target: Id {
                        client: 1,
                        clock: 0
                    },
                    ..
                })
            ));
        }
    }
}

#[test]
fn a_document_parent_that_is_not_a_type_makes_yrs_stop_midway() {
    // Not guardable from the update alone: the parent 1:0 is a string the document already has.
    // yrs integrates client 9's item, then fails on client 5's and drops the rest of the update.
    let doc = peer(2);
    yrs_apply(&doc, &text_update(1, 0, "abc")).unwrap();
    let bytes = encode(
        &[
            section(9, 0, vec![root_item(STRING, "t", &string("x"))]),
            section(5, 0, vec![child_item(STRING, (1, 0), &string("y"))]),
        ],
        &[],
    );
    validate(&bytes)
        .unwrap()
        .check_dependencies(known(&doc))
        .unwrap();
    let err = yrs_apply(&doc, &bytes).unwrap_err();
    assert!(err.contains("must be deleted or shared ref type"), "{err}");
    let sv = state_vector(&doc);
    assert_eq!(sv.get(&yrs::ClientID::new(9)), 1);
    assert_eq!(sv.get(&yrs::ClientID::new(5)), 0);
    assert!(!has_pending(&doc));
}

#[test]
fn yrs_encode_panics_on_every_sync_after_a_pending_content_json() {
    // yrs reads ContentJSON as `len` + 1 strings but writes `len`. An item framed the way yrs
    // reads it (len 0, one string), waiting for an origin that never comes, sits in the pending
    // store; every encode_state_as_update_v1 (the answer to each new client's sync step 1)
    // re-encodes it, fails to decode its own output while merging, and unwraps the error.
    let mut content = Writer::new();
    content.write_var_u64(0).write_var_string("1");
    let bytes = encode(
        &[section(
            7,
            0,
            vec![after_item(2, (9, 0), &content.into_bytes())],
        )],
        &[],
    );
    let doc = peer(1);
    yrs_apply(&doc, &bytes).unwrap();
    assert!(has_pending(&doc));
    assert!(panics(|| {
        full_state(&doc);
    }));
    assert!(panics(|| {
        doc.transact()
            .encode_state_as_update_v1(&state_vector(&doc));
    }));

    assert!(matches!(
        validate(&bytes),
        Err(UpdateError::Unsupported {
            what: "legacy ContentJSON",
            ..
        })
    ));
}

#[test]
fn yrs_with_byte_offsets_panics_when_deletes_split_a_surrogate_pair() {
    // Not guardable from the update alone: both updates below are well formed and their
    // dependencies are met. Deleting one half of "😀" (clocks count UTF-16 units) and then the
    // rest makes a document with OffsetKind::Bytes (yrs's default) subtract more bytes from the
    // text length than it added: an overflow panic in debug builds, a wrapped length in release.
    // With OffsetKind::Utf16 (what Yjs counts in, and what `peer` uses) nothing goes wrong.
    let half = encode(&[], &[(1, &[(2, 1)])]);
    let all = encode(&[], &[(1, &[(0, 4)])]);
    let run = |offset_kind| {
        let doc = Doc::with_options(yrs::Options {
            client_id: yrs::ClientID::new(1),
            offset_kind,
            ..yrs::Options::default()
        });
        let text = doc.get_or_insert_text("t");
        edit(&doc, |txn| text.insert(txn, 0, "a😀b"));
        for bytes in [&half, &all] {
            validate(bytes)
                .unwrap()
                .check_dependencies(known(&doc))
                .unwrap();
        }
        panics(|| {
            yrs_apply(&doc, &half).unwrap();
            yrs_apply(&doc, &all).unwrap();
        })
    };
    assert_eq!(run(yrs::OffsetKind::Bytes), cfg!(debug_assertions));
    assert!(!run(yrs::OffsetKind::Utf16));
}

#[test]
fn long_dependency_chains_are_checked_quickly() {
    // Two clients whose items alternate: A:i+1 follows B:i, B:i follows A:i. yrs resolves this by
    // switching back and forth; the check must not go quadratic on it.
    let n = 20_000u64;
    let mut a = vec![root_item(STRING, "t", &string("a"))];
    let mut b = Vec::new();
    for i in 0..n {
        b.push(after_item(STRING, (1, i), &string("b")));
        a.push(after_item(STRING, (2, i), &string("a")));
    }
    let bytes = encode(&[section(1, 0, a), section(2, 0, b)], &[]);
    let started = Instant::now();
    let summary = validate(&bytes).unwrap();
    summary.check_dependencies(nothing_known).unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    let doc = peer(3);
    yrs_apply(&doc, &bytes).unwrap();
    assert!(!has_pending(&doc));
}

// ---------------------------------------------------------------------------------------------
// Fuzzing

/// Applies an update that passed validation and the dependency check, and checks that yrs is
/// still healthy afterwards.
fn apply_accepted(doc: &Doc, bytes: &[u8]) {
    if let Err(e) = yrs_apply(doc, bytes) {
        // The one refusal the validator cannot foresee: a parent ID naming an item of the
        // *document* that is not a shared type. yrs stops there with an error (having integrated
        // what came before, and dropping the rest); the document stays consistent.
        assert!(
            e.contains("must be deleted or shared ref type"),
            "an accepted update failed to apply: {e}"
        );
    }
    assert!(!has_pending(doc), "an accepted update left pending state");
    let state = full_state(doc);
    // What yrs emits after an accepted update is itself acceptable ...
    let summary = validate(&state).expect("re-encoded state validates");
    summary
        .check_dependencies(nothing_known)
        .expect("re-encoded state is self-contained");
    // ... and a fresh client can sync from it.
    let fresh = peer(12345);
    yrs_apply(&fresh, &state).expect("fresh client syncs");
    assert!(!has_pending(&fresh));
    let sv = state_vector(doc);
    let _ = doc.transact().encode_state_as_update_v1(&sv);
}

/// Honest updates, each with the updates that precede it (the document it is meant for).
fn corpus() -> Vec<(Vec<Vec<u8>>, Vec<u8>)> {
    let updates: Vec<Vec<u8>> = honest_updates().into_iter().map(|(_, u)| u).collect();
    let mut out = Vec::new();
    for i in 0..updates.len() {
        out.push((updates[..i].to_vec(), updates[i].clone()));
    }
    // Self-contained ones as well, against an empty document.
    let a = peer(77);
    let text = a.get_or_insert_text("t");
    let map = a.get_or_insert_map("m");
    edit(&a, |txn| {
        text.insert(txn, 0, "abcdef");
        map.insert(txn, "k", MapPrelim::default());
        map.insert(txn, "v", vec![Any::from(1), Any::from("two")]);
    });
    edit(&a, |txn| text.remove_range(txn, 1, 2));
    out.push((Vec::new(), full_state(&a)));
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Set { at: usize, value: u8 },
    Insert { at: usize, value: u8 },
    Remove { at: usize },
    Duplicate { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        Just(0u8),
        Just(1),
        Just(0x7f),
        Just(0x80),
        Just(0xff),
        Just(10),
        Just(116),
        Just(117),
        Just(118),
        Just(125),
        any::<u8>()
    ];
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (any::<usize>(), interesting.clone()).prop_map(|(at, value)| Mutation::Set { at, value }),
        (any::<usize>(), interesting).prop_map(|(at, value)| Mutation::Insert { at, value }),
        any::<usize>().prop_map(|at| Mutation::Remove { at }),
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match *m {
        Mutation::Flip { at, bit } if !bytes.is_empty() => bytes[at % n] ^= 1 << bit,
        Mutation::Set { at, value } if !bytes.is_empty() => bytes[at % n] = value,
        Mutation::Insert { at, value } => bytes.insert(at % (bytes.len() + 1), value),
        Mutation::Remove { at } if !bytes.is_empty() => {
            bytes.remove(at % n);
        }
        Mutation::Duplicate { at, len } if !bytes.is_empty() => {
            let at = at % n;
            let end = (at + len).min(bytes.len());
            let copy = bytes[at..end].to_vec();
            bytes.splice(at..at, copy);
        }
        _ => {}
    }
}

/// Fuzz cases per property: 2,000 by default, `FUZZ_CASES=n` for a longer hunt.
fn fuzz_cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(2_000), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_and_accepted_ones_apply(
        bytes in proptest::collection::vec(any::<u8>(), 0..200)
    ) {
        if let Ok(summary) = validate(&bytes) {
            if summary.check_dependencies(nothing_known).is_ok() {
                apply_accepted(&peer(1), &bytes);
            }
        }
    }

    #[test]
    fn mutated_updates_never_panic_and_accepted_ones_apply(
        pick in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        thread_local! {
            static CORPUS: Vec<(Vec<Vec<u8>>, Vec<u8>)> = corpus();
        }
        let (base, update) = CORPUS.with(|c| c[pick.index(c.len())].clone());
        let mut bytes = update;
        for m in &mutations {
            mutate(&mut bytes, m);
        }
        if let Ok(summary) = validate(&bytes) {
            let doc = peer(1);
            for earlier in &base {
                yrs_apply(&doc, earlier).expect("corpus applies");
            }
            if summary.check_dependencies(known(&doc)).is_ok() {
                apply_accepted(&doc, &bytes);
            }
        }
    }
}

/// One item of a generated update: text length, and optional origin / right origin given as
/// (client index, clock).
type GenItem = (u8, Option<(usize, u32)>, Option<(usize, u32)>);

fn gen_item() -> impl Strategy<Value = GenItem> {
    // Mostly IDs that exist somewhere in the update, so that both outcomes are common.
    let reference = proptest::option::weighted(0.5, (0usize..4, 0u32..4));
    (1u8..3, reference.clone(), reference)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(2_000), ..ProptestConfig::default() })]

    /// The dependency check and yrs agree: an update passes exactly when yrs integrates all of it
    /// (no pending structs, no pending delete set).
    #[test]
    fn dependency_check_matches_what_yrs_leaves_pending(
        sections in proptest::collection::vec(proptest::collection::vec(gen_item(), 1..5), 1..4),
        deletes in proptest::collection::vec((0usize..4, 0u32..4, 1u32..3), 0..3),
        known_prefix in 0usize..4,
    ) {
        // Client indices wrap around the sections there are, so most references can resolve.
        let client = |i: usize| 10 + (i % sections.len()) as u64;
        let built: Vec<Section> = sections
            .iter()
            .enumerate()
            .map(|(i, items)| {
                let structs = items
                    .iter()
                    .map(|&(len, origin, right)| {
                        let text = string(&"ab"[..usize::from(len)]);
                        let mut w = Writer::new();
                        let info = STRING
                            | if origin.is_some() { 0x80 } else { 0 }
                            | if right.is_some() { 0x40 } else { 0 };
                        w.write_u8(info);
                        for (c, clock) in [origin, right].into_iter().flatten() {
                            w.write_var_u64(client(c)).write_var_u64(u64::from(clock));
                        }
                        if origin.is_none() && right.is_none() {
                            w.write_var_u64(1).write_var_string("t");
                        }
                        w.write_raw(&text);
                        w.into_bytes()
                    })
                    .collect();
                section(client(i), 0, structs)
            })
            .collect();
        // One sorted range per client (the validator insists on sorted, disjoint ranges).
        let mut ranges: Vec<(u64, Vec<(u64, u64)>)> = Vec::new();
        for (c, clock, len) in deletes {
            if !ranges.iter().any(|(rc, _)| *rc == client(c)) {
                ranges.push((client(c), vec![(u64::from(clock), u64::from(len))]));
            }
        }
        let ranges: Vec<(u64, &[(u64, u64)])> =
            ranges.iter().map(|(c, r)| (*c, r.as_slice())).collect();
        let bytes = encode(&built, &ranges);
        let summary = validate(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // The document may already have the first clocks of the first client, so that items
        // are partly or fully known (yrs trims or skips them).
        let doc = peer(1);
        if known_prefix > 0 {
            yrs_apply(&doc, &text_update(client(0), 0, &"xyz"[..known_prefix]))
                .map_err(TestCaseError::fail)?;
        }
        let accepted = summary.check_dependencies(known(&doc));
        yrs_apply(&doc, &bytes).map_err(TestCaseError::fail)?;
        prop_assert_eq!(accepted.is_ok(), !has_pending(&doc), "{:?}", accepted);
        if accepted.is_ok() && known_prefix == 0 {
            apply_accepted(&peer(2), &bytes);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(2_000) / 10, ..ProptestConfig::default() })]

    /// Whatever honest yrs peers send each other passes, against the receiving document.
    #[test]
    fn random_honest_edits_pass(ops in proptest::collection::vec((0u8..8, any::<u16>(), 0usize..3), 1..25)) {
        let peers: Vec<Doc> = (1..=3).map(peer).collect();
        let server = peer(1000);
        for (op, arg, who) in ops {
            let doc = &peers[who];
            let text = doc.get_or_insert_text("t");
            let array = doc.get_or_insert_array("a");
            let map = doc.get_or_insert_map("m");
            let update = edit(doc, |txn| {
                let len = text.len(txn);
                let pos = u32::from(arg) % (len + 1);
                match op {
                    0 => text.insert(txn, pos, "xy"),
                    1 if len > 0 => text.remove_range(txn, pos.min(len - 1), 1),
                    2 => {
                        array.push_back(txn, i64::from(arg));
                    }
                    3 if array.len(txn) > 0 => array.remove(txn, u32::from(arg) % array.len(txn)),
                    4 => {
                        map.insert(txn, format!("k{}", arg % 4), i64::from(arg));
                    }
                    5 => {
                        let inner = map.insert(txn, "nested", MapPrelim::default());
                        inner.insert(txn, "x", Any::from(vec![Any::from(f64::from(arg))]));
                    }
                    6 => {
                        let bold = Attrs::from([(Arc::from("b"), Any::Bool(arg % 2 == 0))]);
                        if len > 0 {
                            text.format(txn, pos.min(len - 1), 1, bold);
                        }
                    }
                    _ => {
                        map.remove(txn, &format!("k{}", arg % 4));
                    }
                }
            });
            // The server gets the update, then brings the author up to date.
            let summary = validate(&update).map_err(|e| TestCaseError::fail(e.to_string()))?;
            summary
                .check_dependencies(known(&server))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            yrs_apply(&server, &update).map_err(TestCaseError::fail)?;
            prop_assert!(!has_pending(&server));
            let catch_up = server.transact().encode_state_as_update_v1(&state_vector(doc));
            let summary = validate(&catch_up).map_err(|e| TestCaseError::fail(e.to_string()))?;
            summary
                .check_dependencies(known(doc))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            yrs_apply(doc, &catch_up).map_err(TestCaseError::fail)?;
        }
    }
}
