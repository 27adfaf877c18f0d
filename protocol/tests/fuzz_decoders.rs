//! Bounded fuzzing of every decoder a client's bytes reach: none may panic, and what decodes
//! re-encodes to the same value. (The update validator has its own, larger fuzz suite.)

use proptest::prelude::*;
use werkplaats_protocol::control::ClientEnvelope;
use werkplaats_protocol::message::{AwarenessUpdate, Message, decode_state_vector};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn frames_never_panic_and_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(message) = Message::decode(&bytes) {
            // non-canonical varints decode too, so compare values, not bytes
            let encoded = message.encode();
            prop_assert_eq!(Message::decode(&encoded), Ok(message));
        }
    }

    #[test]
    fn frames_with_a_known_tag_never_panic(tag in 0u8..4, sub in 0u8..4, rest in proptest::collection::vec(any::<u8>(), 0..128)) {
        let mut bytes = vec![tag, sub];
        bytes.extend(rest);
        let _ = Message::decode(&bytes);
    }

    #[test]
    fn awareness_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(update) = AwarenessUpdate::decode(&bytes) {
            let encoded = update.encode();
            prop_assert_eq!(AwarenessUpdate::decode(&encoded), Ok(update));
        }
    }

    #[test]
    fn state_vectors_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        let _ = decode_state_vector(&bytes);
    }

    #[test]
    fn control_json_never_panics(text in ".{0,200}") {
        let _ = ClientEnvelope::parse(&text);
    }

    #[test]
    fn control_json_with_a_known_shape_never_panics(kind in "[a-z_]{1,24}", field in ".{0,40}", n in any::<i64>()) {
        let json = format!(r#"{{"id":{n},"type":"{kind}","text":{field:?},"idea_ids":[{field:?}],"seconds":{n}}}"#);
        let _ = ClientEnvelope::parse(&json);
    }
}
