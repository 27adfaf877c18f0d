//! A simulated Yjs client: its own yrs document, fed by the frames the core addresses to it,
//! answering as a y-websocket client does, and typing into the workshop's texts.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use werkplaats_protocol::control::{CONTROL_VERSION, ClientEnvelope, Command};
use werkplaats_protocol::message::{AwarenessUpdate, Message};
use werkplaats_protocol::update::{UpdateLimits, validate_update_v1};
use werkplaats_protocol::workshop::schema;
use yrs::types::ToJson;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Any, Array, ArrayRef, Doc, In, Map, MapPrelim, MapRef, Out, ReadTxn, StateVector, Text,
    TextPrelim, TextRef, Transact, Update,
};

use super::rng::Rng;
use crate::session::awareness::OwnedEntry;
use crate::session::core::frame::Frame;
use crate::session::{ClientMsg, ConnId};

pub struct SimClient {
    pub conn: ConnId,
    /// Index of the person (credential) it connected as.
    pub person: usize,
    pub doc: Doc,
    /// Frames addressed to it and not yet read, in order.
    pub inbox: VecDeque<Frame>,
    /// It received the server's sync step 2.
    pub synced: bool,
    /// Who it sees, as Yjs's awareness keeps it: client id to (clock, state; `None` removed).
    pub awareness: HashMap<u64, (u32, Option<String>)>,
    /// The clock of its own awareness state, and the state (once it sent one).
    awareness_clock: u32,
    own_state: Option<String>,
}

impl SimClient {
    pub fn new(conn: ConnId, person: usize, doc: Doc) -> Self {
        Self {
            conn,
            person,
            doc,
            inbox: VecDeque::new(),
            synced: false,
            awareness: HashMap::new(),
            awareness_clock: 0,
            own_state: None,
        }
    }

    /// What a client sends right after it connected: its state vector, then `hello`.
    pub fn greeting(&self) -> Vec<ClientMsg> {
        let sv = self.doc.transact().state_vector().encode_v1();
        vec![
            ClientMsg::SyncStep1(Bytes::from(sv)),
            control(Command::Hello {
                version: CONTROL_VERSION,
            }),
        ]
    }

    /// Reads the oldest frame in its inbox; returns what it sends in answer.
    pub fn read_one(&mut self) -> Option<Vec<ClientMsg>> {
        let frame = self.inbox.pop_front()?;
        let message = Message::decode(&frame.bytes).expect("the core sends well-formed frames");
        Some(match message {
            Message::SyncStep1(sv) => {
                let sv = StateVector::decode_v1(sv).expect("a valid state vector");
                let diff = self.doc.transact().encode_state_as_update_v1(&sv);
                update_msg(diff).into_iter().collect()
            }
            Message::SyncStep2(update) | Message::Update(update) => {
                let update = Update::decode_v1(update).expect("a valid update from the core");
                self.doc
                    .transact_mut()
                    .apply_update(update)
                    .expect("the core's update applies");
                if matches!(message, Message::SyncStep2(_)) {
                    self.synced = true;
                }
                Vec::new()
            }
            Message::Awareness(bytes) => {
                let update = AwarenessUpdate::decode(bytes).expect("valid awareness");
                apply_awareness(&mut self.awareness, &update);
                // As y-protocols does: a remote removal of our own state (the server expired
                // it) is answered with the state again, at a clock past the removal's.
                let own = self.doc.client_id().get();
                let removed_at = update
                    .entries
                    .iter()
                    .filter(|e| e.client_id == own && e.is_removal())
                    .map(|e| e.clock)
                    .max();
                match (removed_at, self.own_state.clone()) {
                    (Some(clock), Some(state)) if clock >= self.awareness_clock => {
                        self.awareness_clock = clock + 1;
                        self.awareness
                            .insert(own, (self.awareness_clock, Some(state.clone())));
                        vec![ClientMsg::Awareness(vec![OwnedEntry {
                            client_id: own,
                            clock: self.awareness_clock,
                            state,
                        }])]
                    }
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        })
    }

    /// Its cursor moved: a new awareness state for its client id.
    pub fn move_cursor(&mut self, rng: &mut Rng) -> ClientMsg {
        self.awareness_clock += 1;
        let state = format!("{{\"cursor\":{}}}", rng.below(100));
        self.own_state = Some(state.clone());
        ClientMsg::Awareness(vec![OwnedEntry {
            client_id: self.doc.client_id().get(),
            clock: self.awareness_clock,
            state,
        }])
    }

    /// Types into or deletes from one of the workshop's texts (a note or a conversation
    /// guide's answer); `None` before it has the document's structure.
    pub fn edit(&mut self, rng: &mut Rng) -> Option<ClientMsg> {
        if rng.percent(10) {
            return self.add_plan_row(rng);
        }
        if rng.percent(10) {
            return self.tick_guide(rng);
        }
        let texts = self.texts();
        if texts.is_empty() {
            return None;
        }
        let text = &texts[rng.below(texts.len())];
        let before = self.doc.transact().state_vector();
        {
            let mut txn = self.doc.transact_mut();
            let len = text.len(&txn);
            if len > 0 && rng.percent(30) {
                let at = rng.below(len as usize) as u32;
                let n = (rng.below(4) as u32 + 1).min(len - at);
                text.remove_range(&mut txn, at, n);
            } else {
                let at = rng.below(len as usize + 1) as u32;
                // Typed as a browser types: offsets count UTF-16 units (see `client_doc`).
                let words = ["ja", "nee", " ", "bieb", "ë", "koffie\n"];
                text.insert(&mut txn, at, words[rng.below(words.len())]);
            }
        }
        let update = self.doc.transact().encode_state_as_update_v1(&before);
        update_msg(update)
    }

    /// Adds a row to a communication plan, as the web client does (`pushRow`): its id and an
    /// empty text per column.
    fn add_plan_row(&mut self, rng: &mut Rng) -> Option<ClientMsg> {
        let plans: Vec<ArrayRef> = {
            let txn = self.doc.transact();
            sorted(&txn, schema::PLANS)
                .into_iter()
                .filter_map(|(_, value)| match value {
                    Out::YArray(array) => Some(array),
                    _ => None,
                })
                .collect()
        };
        if plans.is_empty() {
            return None;
        }
        let plan = &plans[rng.below(plans.len())];
        let before = self.doc.transact().state_vector();
        {
            let mut txn = self.doc.transact_mut();
            let mut row: MapPrelim = schema::PLAN_COLUMNS
                .iter()
                .map(|column| (Arc::<str>::from(*column), In::from(TextPrelim::new(""))))
                .collect();
            let id = format!("row{}", rng.next_u64() % 1_000_000);
            row.insert(schema::ROW_ID.into(), In::Any(Any::from(id)));
            plan.push_back(&mut txn, row);
        }
        let update = self.doc.transact().encode_state_as_update_v1(&before);
        update_msg(update)
    }

    /// Ticks or unticks a question of a conversation guide.
    fn tick_guide(&mut self, rng: &mut Rng) -> Option<ClientMsg> {
        let guides: Vec<(MapRef, usize)> = {
            let txn = self.doc.transact();
            sorted(&txn, schema::GUIDES)
                .into_iter()
                .filter_map(|(_, value)| match value {
                    Out::YMap(guide) => {
                        let questions =
                            guide.keys(&txn).filter(|k| k.starts_with("notes.")).count();
                        (questions > 0).then_some((guide, questions))
                    }
                    _ => None,
                })
                .collect()
        };
        if guides.is_empty() {
            return None;
        }
        let (guide, questions) = &guides[rng.below(guides.len())];
        let key = schema::guide_checked_key(rng.below(*questions));
        let before = self.doc.transact().state_vector();
        guide.insert(&mut self.doc.transact_mut(), key, rng.percent(50));
        let update = self.doc.transact().encode_state_as_update_v1(&before);
        update_msg(update)
    }

    /// The texts clients may type in.
    fn texts(&self) -> Vec<TextRef> {
        let txn = self.doc.transact();
        let mut texts = Vec::new();
        for (_, value) in sorted(&txn, schema::NOTES) {
            if let Out::YText(text) = value {
                texts.push(text);
            }
        }
        for (_, plan) in sorted(&txn, schema::PLANS) {
            if let Out::YArray(rows) = plan {
                for row in rows.iter(&txn) {
                    if let Out::YMap(row) = row {
                        let mut columns: Vec<_> = row.iter(&txn).collect();
                        columns.sort_by(|a, b| a.0.cmp(b.0));
                        for (_, value) in columns {
                            if let Out::YText(text) = value {
                                texts.push(text);
                            }
                        }
                    }
                }
            }
        }
        for (_, guide) in sorted(&txn, schema::GUIDES) {
            if let Out::YMap(guide) = guide {
                let mut answers: Vec<_> = guide.iter(&txn).collect();
                answers.sort_by(|a, b| a.0.cmp(b.0));
                for (_, value) in answers {
                    if let Out::YText(text) = value {
                        texts.push(text);
                    }
                }
            }
        }
        texts
    }

    /// Every text, for comparing replicas.
    pub fn contents(doc: &Doc) -> String {
        let txn = doc.transact();
        let mut out = String::new();
        for root in [
            schema::NOTES,
            schema::GUIDES,
            schema::FORMATS,
            schema::LISTS,
        ] {
            if let Some(map) = txn.get_map(root) {
                canonical(&map.to_json(&txn), &mut out);
            }
        }
        out
    }
}

/// A control command as its connection hands it on.
pub fn control(command: Command) -> ClientMsg {
    ClientMsg::Control(Box::new(ClientEnvelope { id: None, command }))
}

/// An update as its connection hands it on: validated, with its summary.
pub fn update_msg(update: Vec<u8>) -> Option<ClientMsg> {
    if update == [0, 0] {
        return None;
    }
    let summary = validate_update_v1(&update, &UpdateLimits::default())
        .expect("a yrs update passes the validator");
    Some(ClientMsg::Update {
        update: Bytes::from(update),
        summary: Box::new(summary),
    })
}

/// `any` as text with its maps' keys in order, so equal contents read the same.
fn canonical(any: &Any, out: &mut String) {
    match any {
        Any::Map(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (key, value) in entries {
                out.push_str(key);
                out.push(':');
                canonical(value, out);
                out.push(',');
            }
            out.push('}');
        }
        Any::Array(items) => {
            out.push('[');
            for item in items.iter() {
                canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&format!("{other:?}")),
    }
}

/// A client's document as a browser's Yjs has it: its own client id, offsets in UTF-16 units.
pub fn client_doc(client_id: u64) -> Doc {
    Doc::with_options(yrs::Options {
        client_id: yrs::ClientID::new(client_id),
        offset_kind: yrs::OffsetKind::Utf16,
        ..yrs::Options::default()
    })
}

/// Applies an awareness update as Yjs does: a newer clock wins, and a removal at the same clock.
pub fn apply_awareness(seen: &mut HashMap<u64, (u32, Option<String>)>, update: &AwarenessUpdate) {
    for entry in &update.entries {
        let state = (!entry.is_removal()).then(|| entry.state.to_owned());
        let newer = match seen.get(&entry.client_id) {
            None => true,
            Some((clock, known)) => {
                *clock < entry.clock
                    || (*clock == entry.clock && state.is_none() && known.is_some())
            }
        };
        if newer {
            seen.insert(entry.client_id, (entry.clock, state));
        }
    }
}

/// The present states of an awareness view.
pub fn present(seen: &HashMap<u64, (u32, Option<String>)>) -> Vec<(u64, String)> {
    let mut present: Vec<_> = seen
        .iter()
        .filter_map(|(id, (_, state))| state.clone().map(|s| (*id, s)))
        .collect();
    present.sort();
    present
}

/// A root map's entries in key order: yrs keeps a map's keys in a hash map, whose order differs
/// from run to run, and a seed must replay.
fn sorted<T: ReadTxn>(txn: &T, root: &str) -> Vec<(String, Out)> {
    let Some(map) = txn.get_map(root) else {
        return Vec::new();
    };
    let mut entries: Vec<_> = map.iter(txn).map(|(k, v)| (k.to_owned(), v)).collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}
