//! The server's writes to the shared document: the fixed containers every activity needs.
//!
//! The server creates them before clients edit, so two clients never create the same map key at
//! the same moment (in Yjs the later write wins and the other's text is gone). Clients only
//! type into texts and add rows. See `werkplaats_protocol::workshop::schema` for the layout.

use werkplaats_protocol::template::{Activity, BlockInput, ConnectionFormat, Template};
use werkplaats_protocol::workshop::schema;
use yrs::{
    Any, Array, ArrayPrelim, Doc, In, Map, MapPrelim, MapRef, Out, ReadTxn, TextPrelim, Transact,
    TransactionMut,
};

/// Creates whatever container is missing; returns the update it made, if any.
pub fn ensure_structure(
    doc: &Doc,
    template: &Template,
    new_id: &mut dyn FnMut() -> String,
    now_ms: f64,
) -> Option<Vec<u8>> {
    let formats = doc.get_or_insert_map(schema::FORMATS);
    let lists = doc.get_or_insert_map(schema::LISTS);
    let guides = doc.get_or_insert_map(schema::GUIDES);
    let plans = doc.get_or_insert_map(schema::PLANS);
    let notes = doc.get_or_insert_map(schema::NOTES);
    let mut txn = doc.transact_mut();
    for activity in template.activities() {
        match activity {
            Activity::ConnectionFormat(format) => {
                let exists = formats.iter(&txn).any(|(_, value)| {
                    format_activity(&txn, &value).as_deref() == Some(format.id.as_str())
                });
                if !exists {
                    formats.insert(&mut txn, new_id(), format_prelim(format, now_ms));
                }
            }
            Activity::List(list) => {
                if !lists.contains_key(&txn, &list.id) {
                    lists.insert(&mut txn, list.id.clone(), ArrayPrelim::default());
                }
            }
            Activity::ConversationGuide(guide) => {
                if !guides.contains_key(&txn, &guide.id) {
                    let prelim: MapPrelim = (0..guide.questions.len())
                        .map(|n| (schema::guide_notes_key(n), In::from(TextPrelim::new(""))))
                        .collect();
                    guides.insert(&mut txn, guide.id.clone(), prelim);
                }
            }
            Activity::CommunicationPlan(plan) => {
                if !plans.contains_key(&txn, &plan.id) {
                    plans.insert(&mut txn, plan.id.clone(), ArrayPrelim::default());
                }
            }
            Activity::Notes(note) => {
                if !notes.contains_key(&txn, &note.id) {
                    notes.insert(&mut txn, note.id.clone(), TextPrelim::new(""));
                }
            }
            Activity::BrainstormCarousel(_) | Activity::GuidedVisualisation(_) => {}
        }
    }
    let update = txn.encode_update_v1();
    (update.as_slice() != [0, 0]).then_some(update)
}

/// Adds one more connection format for `format`; returns the update.
pub fn add_format(doc: &Doc, format: &ConnectionFormat, format_id: String, now_ms: f64) -> Vec<u8> {
    let formats = doc.get_or_insert_map(schema::FORMATS);
    let mut txn = doc.transact_mut();
    formats.insert(&mut txn, format_id, format_prelim(format, now_ms));
    txn.encode_update_v1()
}

/// Why a format was not removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RemoveFormatError {
    #[error("no such format")]
    NotFound,
    /// Every connection-format activity keeps at least one format to fill in.
    #[error("the last format of an activity stays")]
    Last,
}

/// Removes one connection format (with everything typed into it); returns the update. Only
/// the server may delete entries of `formats`, so this is a command, not a client's edit.
pub fn remove_format(doc: &Doc, format_id: &str) -> Result<Vec<u8>, RemoveFormatError> {
    let formats = doc.get_or_insert_map(schema::FORMATS);
    let activity = {
        let txn = doc.transact();
        let value = formats
            .get(&txn, format_id)
            .ok_or(RemoveFormatError::NotFound)?;
        format_activity(&txn, &value).ok_or(RemoveFormatError::NotFound)?
    };
    if format_count(doc, &activity) <= 1 {
        return Err(RemoveFormatError::Last);
    }
    let mut txn = doc.transact_mut();
    formats.remove(&mut txn, format_id);
    Ok(txn.encode_update_v1())
}

/// How many formats of this activity the document holds.
pub fn format_count(doc: &Doc, activity_id: &str) -> usize {
    let formats = doc.get_or_insert_map(schema::FORMATS);
    let txn = doc.transact();
    formats
        .iter(&txn)
        .filter(|(_, v)| format_activity(&txn, v).as_deref() == Some(activity_id))
        .count()
}

fn format_prelim(format: &ConnectionFormat, now_ms: f64) -> MapPrelim {
    let mut fields: Vec<(String, In)> = vec![
        (
            schema::FORMAT_ACTIVITY.to_owned(),
            In::from(format.id.as_str()),
        ),
        (schema::FORMAT_CREATED.to_owned(), In::from(now_ms)),
    ];
    for side in &format.sides {
        fields.push((schema::side_name_key(&side.id), TextPrelim::new("").into()));
        for block in &format.side_blocks {
            fields.push((
                schema::side_block_key(&side.id, &block.id),
                TextPrelim::new("").into(),
            ));
        }
    }
    for block in &format.connections {
        fields.push((
            schema::connection_key(&block.id),
            TextPrelim::new("").into(),
        ));
    }
    for block in &format.follow_up {
        let value: In = match block.input {
            BlockInput::Text => TextPrelim::new("").into(),
            BlockInput::Actions => ArrayPrelim::default().into(),
        };
        fields.push((schema::follow_up_key(&block.id), value));
    }
    fields.into_iter().collect()
}

pub fn format_activity<T: ReadTxn>(txn: &T, value: &Out) -> Option<String> {
    let Out::YMap(map) = value else { return None };
    match map.get(txn, schema::FORMAT_ACTIVITY) {
        Some(Out::Any(Any::String(s))) => Some(s.to_string()),
        _ => None,
    }
}

/// Reads a text field of a map (a Y.Text, or a plain string a stock client may have put).
pub fn text_of<T: ReadTxn>(txn: &T, map: &MapRef, key: &str) -> String {
    match map.get(txn, key) {
        Some(Out::YText(text)) => yrs::GetString::get_string(&text, txn),
        Some(Out::Any(Any::String(s))) => s.to_string(),
        Some(Out::Any(Any::Number(n))) => n.to_string(),
        _ => String::new(),
    }
}

/// The rows (maps) of an array.
pub fn rows<T: ReadTxn>(txn: &T, value: Option<Out>) -> Vec<MapRef> {
    match value {
        Some(Out::YArray(array)) => array
            .iter(txn)
            .filter_map(|row| match row {
                Out::YMap(map) => Some(map),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[allow(dead_code)]
fn _assert_txn_mut(_: &mut TransactionMut) {}
