//! Arbitrary bytes as a workshop template, through the two parsers `POST /api/sessions` runs on
//! a submitted one (`parse_template_toml` for `template_toml`, `parse_template_json` for
//! `template`); both read and validate (`protocol/src/template/`).
//!
//! Invariant: an accepted template serialises (TOML and JSON) to text that parses and validates
//! again to the same template, which is what downloading and re-uploading a template relies on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use werkplaats_protocol::template::limits::MAX_TEMPLATE_BYTES;
use werkplaats_protocol::template::{Template, parse_template_json, parse_template_toml};

fn round_trip(template: &Template) {
    let json = template.to_json_string();
    if json.len() > MAX_TEMPLATE_BYTES {
        // Pretty JSON of a template just under the cap can be over it; that is no bug.
        return;
    }
    let from_json = parse_template_json(&json).expect("a valid template's JSON parses again");
    assert_eq!(
        template, &from_json,
        "template changed on a JSON round trip"
    );
    let toml = template
        .to_toml_string()
        .expect("a valid template serialises to TOML");
    if toml.len() > MAX_TEMPLATE_BYTES {
        return;
    }
    let from_toml = parse_template_toml(&toml).expect("a valid template's TOML parses again");
    assert_eq!(
        template, &from_toml,
        "template changed on a TOML round trip"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(template) = parse_template_toml(text) {
        round_trip(&template);
    }
    if let Ok(template) = parse_template_json(text) {
        round_trip(&template);
    }
});
