//! The shared JSON test vectors in `protocol/vectors/`: control messages as the wire has them.
//! This test decodes and re-encodes each one; `tests/node/protocol-vectors.test.mjs` checks the
//! web client's side against the same files.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::control::{ClientEnvelope, Command, Event, ServerEnvelope};
use crate::ts_export::variants_tagged;

fn vectors(file: &str) -> Vec<Value> {
    let path = format!("{}/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Decodes every vector as `T`, encodes it again and expects the same JSON; returns each one's
/// `type`.
fn round_trip<T: DeserializeOwned + Serialize>(file: &str) -> Vec<String> {
    vectors(file)
        .into_iter()
        .map(|wire| {
            let decoded: T = serde_json::from_value(wire.clone())
                .unwrap_or_else(|err| panic!("{file}: {wire} does not decode: {err}"));
            let encoded = serde_json::to_value(&decoded).expect("serializes");
            assert_eq!(encoded, wire, "{file}: the round trip changed a message");
            wire["type"].as_str().expect("a type").to_owned()
        })
        .collect()
}

fn assert_covers(file: &str, seen: &[String], all: &[&str]) {
    let missing: Vec<&&str> = all
        .iter()
        .filter(|name| !seen.iter().any(|s| s == *name))
        .collect();
    assert!(missing.is_empty(), "{file} has no vector for {missing:?}");
}

#[test]
fn command_vectors_round_trip_and_cover_every_command() {
    let seen = round_trip::<ClientEnvelope>("commands.json");
    assert_covers("commands.json", &seen, &variants_tagged::<Command>("type"));
}

#[test]
fn event_vectors_round_trip_and_cover_every_event() {
    let seen = round_trip::<ServerEnvelope>("events.json");
    assert_covers("events.json", &seen, &variants_tagged::<Event>("type"));
}
