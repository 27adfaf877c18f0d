//! Arbitrary bytes as a y-websocket frame through `Message::decode`, and every control (JSON)
//! frame through `ClientEnvelope::parse`: what `server/src/ws/decode.rs` does with a client's
//! binary frame. Also feeds the whole input to `ClientEnvelope::parse` directly, so the JSON
//! decoder is reached without the framing byte.
//!
//! The state vector of a sync step 1 and the awareness update inside a frame are decoded as well.
//!
//! Invariants: a decoded frame (and awareness update) re-encodes to bytes that decode to the same
//! value, and a parsed control message serialises to JSON that parses to the same value (what
//! the server and web client rely on when they echo commands).
#![no_main]

use libfuzzer_sys::fuzz_target;
use werkplaats_protocol::control::ClientEnvelope;
use werkplaats_protocol::message::{AwarenessUpdate, Message, decode_state_vector};

fn check_control(json: &str) {
    if let Ok(envelope) = ClientEnvelope::parse(json) {
        let again = ClientEnvelope::parse(&envelope.to_json())
            .expect("a parsed control message re-encodes to one that parses");
        assert_eq!(envelope, again, "control message changed on a round trip");
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(json) = std::str::from_utf8(data) {
        check_control(json);
    }
    let Ok(message) = Message::decode(data) else {
        return;
    };
    let encoded = message.encode();
    let again = Message::decode(&encoded).expect("a decoded frame re-encodes to one that decodes");
    assert_eq!(message, again, "frame changed on a round trip");
    match message {
        Message::Control(json) => check_control(json),
        Message::SyncStep1(sv) => {
            let _ = decode_state_vector(sv);
        }
        Message::Awareness(bytes) => {
            if let Ok(update) = AwarenessUpdate::decode(bytes) {
                let encoded = update.encode();
                let again = AwarenessUpdate::decode(&encoded)
                    .expect("a decoded awareness update re-encodes to one that decodes");
                assert_eq!(update, again, "awareness update changed on a round trip");
            }
        }
        _ => {}
    }
});
