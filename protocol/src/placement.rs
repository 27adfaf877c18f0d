//! Where every item of a session's document lives, and what a client may change there.
//!
//! The server creates the workshop's containers (`formats`, `lists`, `guides`, `plans`, `notes`
//! and their fixed entries; see [`crate::workshop::schema`]). Clients type into texts, add and
//! remove rows, and tick a conversation guide's questions; nothing else in those containers.
//! A Yjs update does not say where most of its items go: an item with a neighbour (its origin)
//! carries no parent, and lives in the neighbour's type under the neighbour's map key, and the
//! neighbour is usually in the document, not in the update. [`Placements`] therefore keeps, for
//! every clock range the document holds, the shared type it lives in (with that type's
//! [`Role`] and nesting depth) and its map key, so that an update is judged by what it would
//! change before yrs applies it ([`Placements::admit`]).
//!
//! Judged by what it changes, not by what it carries: items the document already has are
//! skipped, and deleting what is already deleted passes. Some stock clients echo back every
//! transaction they apply (pycrdt's `Provider`), the server's own containers included.
//!
//! Root types under other names than the five are free: stock Yjs clients keep their own types
//! there (the web client never reads them). The document's budgets (size, types, depth, byte
//! rates) hold there as everywhere.
//!
//! Depth: every shared type has a depth (a root's children 1, their children 2, ...), and a
//! client may not create a type deeper than its limit, however many updates it spreads the
//! chain over. yrs deletes nested types recursively, and Yjs peers walk them recursively.

use std::collections::HashMap;

use thiserror::Error;

use crate::update::{ClockRange, ContentKind, Id, NodeKind, ParentLink, TypeKind, UpdateSummary};
use crate::workshop::schema;

/// What a shared type is in the workshop's schema, which decides what clients may do in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Outside the workshop's containers: a stock Yjs client's own types.
    Free,
    /// One of the five root containers; only the server adds or removes its entries.
    Container(Container),
    /// A connection format's map: fixed fields only the server sets.
    Format,
    /// A text: clients type and delete.
    Text,
    /// The rows of a list, a plan or a format's actions: clients add and remove rows.
    Rows,
    /// One row: clients set its fields to plain values or fresh texts.
    Row,
    /// A conversation guide: the server's note texts, and `checked.N` values clients set.
    Guide,
    /// A type where the schema has none (left by an older version): nothing may change in it.
    Foreign,
}

/// The five root containers the server fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// `formats`: the connection format copies.
    Formats,
    /// `lists`: the list rows, by activity.
    Lists,
    /// `guides`: the conversation guides, by activity.
    Guides,
    /// `plans`: the communication plan rows, by activity.
    Plans,
    /// `notes`: the shared notes texts, by activity.
    Notes,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Free => "a free type",
            Role::Container(Container::Formats) => "the formats container",
            Role::Container(Container::Lists) => "the lists container",
            Role::Container(Container::Guides) => "the guides container",
            Role::Container(Container::Plans) => "the plans container",
            Role::Container(Container::Notes) => "the notes container",
            Role::Format => "a connection format's fields",
            Role::Text => "a text",
            Role::Rows => "a list of rows",
            Role::Row => "a row",
            Role::Guide => "a conversation guide",
            Role::Foreign => "a type outside the schema",
        })
    }
}

fn root_role(name: &str) -> Role {
    match name {
        schema::FORMATS => Role::Container(Container::Formats),
        schema::LISTS => Role::Container(Container::Lists),
        schema::GUIDES => Role::Container(Container::Guides),
        schema::PLANS => Role::Container(Container::Plans),
        schema::NOTES => Role::Container(Container::Notes),
        _ => Role::Free,
    }
}

/// The role of a type of kind `kind` created in a type of role `parent`.
fn child_role(parent: Role, kind: TypeKind) -> Role {
    use {Container as C, Role as R, TypeKind as T};
    match (parent, kind) {
        (R::Free, _) => R::Free,
        (R::Container(C::Formats), T::Map) => R::Format,
        (R::Container(C::Lists | C::Plans), T::Array) => R::Rows,
        (R::Container(C::Guides), T::Map) => R::Guide,
        (R::Container(C::Notes), T::Text) => R::Text,
        (R::Format, T::Text) | (R::Row, T::Text) | (R::Guide, T::Text) => R::Text,
        (R::Format, T::Array) => R::Rows,
        (R::Rows, T::Map) => R::Row,
        _ => R::Foreign,
    }
}

/// What the schema needs to know of an item's map key: whether it has one, and whether it is
/// one of a guide's ticks. Kept instead of the key itself, so that the server's fixed entries
/// (consecutive clocks in one map) are one run, and no run holds a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// In a type's sequence (text, array), not under a key.
    None,
    /// A conversation guide's `checked.N`.
    GuideCheck,
    /// Any other map key.
    Other,
}

impl Key {
    fn of(key: Option<&str>) -> Self {
        match key {
            None => Key::None,
            Some(key) if key.starts_with(schema::GUIDE_CHECKED_PREFIX) => Key::GuideCheck,
            Some(_) => Key::Other,
        }
    }
}

/// Whether a client may put an item with `content` under `key` into a type of `role`.
fn may_insert(role: Role, key: Key, content: ContentKind) -> bool {
    use ContentKind as K;
    match role {
        Role::Free => true,
        Role::Text => {
            key == Key::None && matches!(content, K::String | K::Embed | K::Format | K::Deleted)
        }
        Role::Rows => key == Key::None && matches!(content, K::Type(TypeKind::Map) | K::Deleted),
        Role::Row => {
            key != Key::None && matches!(content, K::Any | K::Type(TypeKind::Text) | K::Deleted)
        }
        Role::Guide => key == Key::GuideCheck && matches!(content, K::Any | K::Deleted),
        Role::Container(_) | Role::Format | Role::Foreign => false,
    }
}

/// Whether a client may delete an item under `key` in a type of `role`.
fn may_delete(role: Role, key: Key) -> bool {
    match role {
        Role::Free | Role::Text | Role::Rows | Role::Row => true,
        Role::Guide => key == Key::GuideCheck,
        Role::Container(_) | Role::Format | Role::Foreign => false,
    }
}

/// Who writes an update: the server (its own containers, or a document restored from the
/// store: recorded, never refused) or a client (judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// The server: recorded, never refused.
    Server,
    /// A client, which may not create a shared type deeper than `max_depth`.
    Client {
        /// The deepest a new shared type may nest (a root is 0).
        max_depth: u32,
    },
}

/// Why a client's update was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SchemaViolation {
    /// An insert into a shared type whose role does not allow it.
    #[error("item {item} would write into {role}, which clients may not change that way")]
    Insert {
        /// The inserted item.
        item: Id,
        /// The role of the type it would go into.
        role: Role,
    },
    /// A deletion of something clients may not delete.
    #[error("deletion {range} of client {client} would remove part of {role}")]
    Delete {
        /// The client whose items would be deleted.
        client: u64,
        /// Their clock range.
        range: ClockRange,
        /// The role of the type they are in.
        role: Role,
    },
    /// A new shared type nested deeper than the writer may.
    #[error("item {item} would create a shared type at depth {depth} (limit {limit})")]
    TooDeep {
        /// The item that creates the type.
        item: Id,
        /// The depth it would have.
        depth: u32,
        /// The deepest allowed.
        limit: u32,
    },
    /// An item whose parent is an item that is not a shared type.
    #[error("item {item} names {target} as its parent, which is not a shared type here")]
    NotAType {
        /// The item.
        item: Id,
        /// The parent it names.
        target: Id,
    },
    /// An item that refers to an item the document does not hold.
    #[error("item {item} refers to {target}, which the document does not place")]
    Unplaced {
        /// The item.
        item: Id,
        /// The item it refers to.
        target: Id,
    },
    /// An item that continues a known item but lands somewhere else.
    #[error("item {item} continues a known item in another place")]
    Inconsistent {
        /// The item.
        item: Id,
    },
}

type PlaceId = u32;

/// A shared type: its role and how deep it nests (a root is 0).
#[derive(Debug, Clone, Copy)]
struct Place {
    role: Role,
    depth: u32,
}

/// Where a clock range lives.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Where {
    /// In a shared type, under a map key or in its sequence.
    In { place: PlaceId, key: Key },
    /// Nowhere: GC'd content, or an item whose parent is gone (yrs turns it into GC).
    Gone,
}

/// One stretch of a client's clocks that lives in one place.
#[derive(Debug, Clone)]
struct Run {
    start: u32,
    end: u32,
    at: Where,
}

/// What admitting an update would add, to be [recorded](Placements::record) once yrs applied
/// it.
#[derive(Debug, Default)]
pub struct Admission {
    places: Vec<Place>,
    roots: Vec<(Box<str>, PlaceId)>,
    types: Vec<(Id, PlaceId)>,
    runs: Vec<(u64, Run)>,
    /// Deletions in places clients may not delete from (made by the server or an older
    /// version), so that their echoes pass later.
    fixed_deletes: Vec<(u64, ClockRange)>,
}

/// Where every clock range of a document lives. See the module docs.
#[derive(Debug)]
pub struct Placements {
    places: Vec<Place>,
    roots: HashMap<Box<str>, PlaceId>,
    /// The type each `ContentType` item of the document creates.
    types: HashMap<Id, PlaceId>,
    /// Per client, contiguous from clock 0, sorted.
    runs: HashMap<u64, Vec<Run>>,
    /// Per client, sorted and disjoint: deleted ranges in places clients may not delete from.
    fixed_deletes: HashMap<u64, Vec<ClockRange>>,
}

/// The place of every type the schema does not know of.
const FOREIGN: PlaceId = 0;

impl Default for Placements {
    fn default() -> Self {
        Self::new()
    }
}

/// A step in finding where an item of the update lives.
enum Step {
    Found(Where),
    /// Needs the item at this index (of the update) placed first.
    After(usize),
}

/// The update's items and GC structs, found by ID.
struct UpdateIndex<'s> {
    summary: &'s UpdateSummary,
    /// The update's bytes, where its root names and map keys are.
    bytes: &'s [u8],
    items: HashMap<u64, (usize, usize)>,
}

impl<'s> UpdateIndex<'s> {
    fn new(summary: &'s UpdateSummary, bytes: &'s [u8]) -> Self {
        let mut items: HashMap<u64, (usize, usize)> = HashMap::new();
        for (i, item) in summary.items.iter().enumerate() {
            items
                .entry(item.client)
                .and_modify(|span| span.1 = i + 1)
                .or_insert((i, i + 1));
        }
        Self {
            summary,
            bytes,
            items,
        }
    }

    /// A root name or map key of the update (validated UTF-8).
    fn text(&self, range: &std::ops::Range<usize>) -> &'s str {
        self.bytes
            .get(range.clone())
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or("")
    }

    fn item(&self, id: Id) -> Option<usize> {
        let &(from, to) = self.items.get(&id.client)?;
        let slice = &self.summary.items[from..to];
        let i = slice.partition_point(|n| n.range.end <= id.clock);
        slice
            .get(i)
            .filter(|n| n.range.start <= id.clock)
            .map(|_| from + i)
    }

    fn is_gc(&self, id: Id) -> bool {
        self.summary.gcs.iter().any(|(client, range)| {
            *client == id.client && range.start <= id.clock && id.clock < range.end
        })
    }
}

impl Placements {
    /// The placements of an empty document.
    pub fn new() -> Self {
        Self {
            places: vec![Place {
                role: Role::Foreign,
                depth: 0,
            }],
            roots: HashMap::new(),
            types: HashMap::new(),
            runs: HashMap::new(),
            fixed_deletes: HashMap::new(),
        }
    }

    /// The clock up to which the document holds `client`'s structs (its state vector entry).
    pub fn clock(&self, client: u64) -> u32 {
        self.runs
            .get(&client)
            .and_then(|runs| runs.last())
            .map_or(0, |run| run.end)
    }

    /// Where the document's struct `id` lives; `None` if the document does not hold it.
    fn where_at(&self, id: Id) -> Option<&Where> {
        let runs = self.runs.get(&id.client)?;
        let i = runs.partition_point(|run| run.end <= id.clock);
        runs.get(i)
            .filter(|run| run.start <= id.clock)
            .map(|run| &run.at)
    }

    /// Judges an update (whose dependencies the document meets) and says what it would add.
    /// `summary` is what `validate_update_v1` made of `update`. A [`Writer::Server`] update is
    /// never refused.
    pub fn admit(
        &self,
        summary: &UpdateSummary,
        update: &[u8],
        writer: Writer,
    ) -> Result<Admission, SchemaViolation> {
        let mut admission = Admission::default();
        let index = UpdateIndex::new(summary, update);
        let items = &summary.items;
        let mut placed: Vec<Option<Where>> = vec![None; items.len()];
        let mut on_path = vec![false; items.len()];
        // The place of each type the update creates, by item index.
        let mut type_places: HashMap<usize, Option<PlaceId>> = HashMap::new();
        let mut stack = Vec::new();
        let server = writer == Writer::Server;

        for start in 0..items.len() {
            // Items the document already has change nothing, and what refers to them is
            // placed from the document.
            if placed[start].is_some() || items[start].range.end <= self.clock(items[start].client)
            {
                continue;
            }
            stack.push(start);
            on_path[start] = true;
            while let Some(&i) = stack.last() {
                let step = self.step(i, &index, &placed, &mut type_places, &mut admission);
                let found = match step {
                    Ok(Step::After(j)) if !on_path[j] => {
                        stack.push(j);
                        on_path[j] = true;
                        continue;
                    }
                    // A cycle: check_dependencies refuses these before we get here.
                    Ok(Step::After(_)) => Err(SchemaViolation::Unplaced {
                        item: id_of(summary, i),
                        target: id_of(summary, i),
                    }),
                    Ok(Step::Found(at)) => Ok(at),
                    Err(violation) => Err(violation),
                };
                let at = match found {
                    Ok(at) => at,
                    // The server's own writes and restored documents are recorded whatever
                    // they hold; what the schema cannot place, nobody may change.
                    Err(_) if server => Where::In {
                        place: FOREIGN,
                        key: Key::None,
                    },
                    Err(violation) => return Err(violation),
                };
                placed[i] = Some(at);
                on_path[i] = false;
                stack.pop();
            }
        }

        for (i, item) in items.iter().enumerate() {
            let known = self.clock(item.client);
            if item.range.end <= known {
                continue;
            }
            let id = Id {
                client: item.client,
                clock: item.range.start,
            };
            let at = placed[i].take().expect("every item was placed above");
            if let Writer::Client { max_depth } = writer {
                if item.range.start < known {
                    // yrs integrates only the new part, after the known one: both must live in
                    // the same place.
                    let known_at = self.where_at(id);
                    if known_at != Some(&at) {
                        return Err(SchemaViolation::Inconsistent { item: id });
                    }
                }
                if let Where::In { place, key } = &at {
                    let place = self.place(*place, &admission);
                    if !may_insert(place.role, *key, item.content) {
                        return Err(SchemaViolation::Insert {
                            item: id,
                            role: place.role,
                        });
                    }
                    if item.kind == NodeKind::Type && place.depth + 1 > max_depth {
                        return Err(SchemaViolation::TooDeep {
                            item: id,
                            depth: place.depth + 1,
                            limit: max_depth,
                        });
                    }
                }
            }
            if item.kind == NodeKind::Type {
                if let Some(Some(place)) = type_places.get(&i) {
                    admission.types.push((id, *place));
                } else if let Where::In { place, .. } = &at {
                    // A type nothing in the update names as parent: its place is made here.
                    let ContentKind::Type(kind) = item.content else {
                        unreachable!("type items have type content")
                    };
                    let parent = self.place(*place, &admission);
                    let new = new_place(&mut admission, self, parent, kind);
                    admission.types.push((id, new));
                }
            }
            push_run(
                &mut admission.runs,
                item.client,
                Run {
                    start: item.range.start.max(known),
                    end: item.range.end,
                    at,
                },
            );
        }
        for (client, range) in &summary.gcs {
            let known = self.clock(*client);
            if range.end > known {
                admission.runs.push((
                    *client,
                    Run {
                        start: range.start.max(known),
                        end: range.end,
                        at: Where::Gone,
                    },
                ));
            }
        }
        admission
            .runs
            .sort_by_key(|(client, run)| (*client, run.start));

        for deletes in &summary.deletes {
            for range in &deletes.ranges {
                self.judge_delete(deletes.client, *range, writer, &mut admission)?;
            }
        }
        Ok(admission)
    }

    /// Checks one deleted range against what lives there, in the document and in the update.
    fn judge_delete(
        &self,
        client: u64,
        range: ClockRange,
        writer: Writer,
        admission: &mut Admission,
    ) -> Result<(), SchemaViolation> {
        let document_runs = self.runs.get(&client).map(Vec::as_slice).unwrap_or(&[]);
        let first = document_runs.partition_point(|run| run.end <= range.start);
        // The update's runs are sorted by client and clock.
        let from = admission
            .runs
            .partition_point(|(c, run)| (*c, run.end) <= (client, range.start));
        let update_runs = admission.runs[from..]
            .iter()
            .take_while(|(c, run)| *c == client && run.start < range.end)
            .map(|(_, run)| run);
        let document_runs = document_runs[first..]
            .iter()
            .take_while(|run| run.start < range.end);
        let mut fixed = Vec::new();
        for run in document_runs.chain(update_runs) {
            let overlap = ClockRange {
                start: run.start.max(range.start),
                end: run.end.min(range.end),
            };
            if overlap.start >= overlap.end {
                continue;
            }
            let Where::In { place, key } = &run.at else {
                continue;
            };
            let role = self.place(*place, admission).role;
            if may_delete(role, *key) {
                continue;
            }
            match writer {
                Writer::Server => fixed.push((client, overlap)),
                Writer::Client { .. } if self.already_deleted(client, overlap) => {}
                Writer::Client { .. } => {
                    return Err(SchemaViolation::Delete {
                        client,
                        range,
                        role,
                    });
                }
            }
        }
        admission.fixed_deletes.extend(fixed);
        Ok(())
    }

    fn already_deleted(&self, client: u64, range: ClockRange) -> bool {
        let Some(ranges) = self.fixed_deletes.get(&client) else {
            return false;
        };
        let i = ranges.partition_point(|r| r.end <= range.start);
        ranges
            .get(i)
            .is_some_and(|r| r.start <= range.start && range.end <= r.end)
    }

    /// One step in placing item `i` of the update: where it lives, or which item of the update
    /// must be placed first.
    fn step(
        &self,
        i: usize,
        index: &UpdateIndex<'_>,
        placed: &[Option<Where>],
        type_places: &mut HashMap<usize, Option<PlaceId>>,
        admission: &mut Admission,
    ) -> Result<Step, SchemaViolation> {
        let item = &index.summary.items[i];
        let id = id_of(index.summary, i);
        let own_key = || Key::of(item.key.as_ref().map(|range| index.text(range)));
        match &item.parent {
            ParentLink::Root(name) => {
                let place = self.root_place(index.text(name), admission);
                Ok(Step::Found(Where::In {
                    place,
                    key: own_key(),
                }))
            }
            ParentLink::Parent(target) => {
                let target = *target;
                if target.clock < self.clock(target.client) {
                    return match (self.types.get(&target), self.where_at(target)) {
                        (Some(place), _) => Ok(Step::Found(Where::In {
                            place: *place,
                            key: own_key(),
                        })),
                        (None, Some(Where::Gone)) => Ok(Step::Found(Where::Gone)),
                        _ => Err(SchemaViolation::NotAType { item: id, target }),
                    };
                }
                match index.item(target) {
                    Some(j) => match index.summary.items[j].kind {
                        NodeKind::Type => {
                            let Some(parent_at) = &placed[j] else {
                                return Ok(Step::After(j));
                            };
                            let place = match type_places.get(&j) {
                                Some(place) => *place,
                                None => {
                                    let place = match parent_at {
                                        Where::In { place, .. } => {
                                            let ContentKind::Type(kind) =
                                                index.summary.items[j].content
                                            else {
                                                unreachable!("type items have type content")
                                            };
                                            let parent = self.place(*place, admission);
                                            Some(new_place(admission, self, parent, kind))
                                        }
                                        Where::Gone => None,
                                    };
                                    type_places.insert(j, place);
                                    place
                                }
                            };
                            Ok(Step::Found(match place {
                                Some(place) => Where::In {
                                    place,
                                    key: own_key(),
                                },
                                None => Where::Gone,
                            }))
                        }
                        NodeKind::Deleted => Ok(Step::Found(Where::Gone)),
                        NodeKind::Other => Err(SchemaViolation::NotAType { item: id, target }),
                    },
                    None if index.is_gc(target) => Ok(Step::Found(Where::Gone)),
                    None => Err(SchemaViolation::Unplaced { item: id, target }),
                }
            }
            ParentLink::Sibling(target) => {
                let target = *target;
                if target.clock < self.clock(target.client) {
                    return match self.where_at(target) {
                        Some(at) => Ok(Step::Found(at.clone())),
                        None => Err(SchemaViolation::Unplaced { item: id, target }),
                    };
                }
                match index.item(target) {
                    Some(j) => match &placed[j] {
                        Some(at) => Ok(Step::Found(at.clone())),
                        None => Ok(Step::After(j)),
                    },
                    None if index.is_gc(target) => Ok(Step::Found(Where::Gone)),
                    None => Err(SchemaViolation::Unplaced { item: id, target }),
                }
            }
        }
    }

    fn root_place(&self, name: &str, admission: &mut Admission) -> PlaceId {
        if let Some(place) = self.roots.get(name) {
            return *place;
        }
        if let Some((_, place)) = admission.roots.iter().find(|(n, _)| &**n == name) {
            return *place;
        }
        let place = self.next_place_id(admission);
        admission.places.push(Place {
            role: root_role(name),
            depth: 0,
        });
        admission.roots.push((Box::from(name), place));
        place
    }

    fn next_place_id(&self, admission: &Admission) -> PlaceId {
        PlaceId::try_from(self.places.len() + admission.places.len()).unwrap_or(FOREIGN)
    }

    fn place(&self, id: PlaceId, admission: &Admission) -> Place {
        let id = id as usize;
        self.places
            .get(id)
            .or_else(|| admission.places.get(id - self.places.len()))
            .copied()
            .unwrap_or(self.places[FOREIGN as usize])
    }

    /// Takes in what an admitted update added, once yrs has applied it.
    pub fn record(&mut self, admission: Admission) {
        self.places.extend(admission.places);
        self.roots.extend(admission.roots);
        self.types.extend(admission.types);
        for (client, run) in admission.runs {
            let runs = self.runs.entry(client).or_default();
            match runs.last_mut() {
                Some(last) if last.end == run.start && last.at == run.at => last.end = run.end,
                // Runs arrive contiguous with what the document holds; a run that is not is
                // already known (a repeat) and changes nothing.
                Some(last) if last.end > run.start => {}
                _ => runs.push(run),
            }
        }
        for (client, range) in admission.fixed_deletes {
            insert_range(self.fixed_deletes.entry(client).or_default(), range);
        }
    }
}

fn new_place(
    admission: &mut Admission,
    placements: &Placements,
    parent: Place,
    kind: TypeKind,
) -> PlaceId {
    let id = placements.next_place_id(admission);
    admission.places.push(Place {
        role: child_role(parent.role, kind),
        depth: parent.depth.saturating_add(1),
    });
    id
}

/// Appends a run, merged into the last one when it continues it in the same place.
fn push_run(runs: &mut Vec<(u64, Run)>, client: u64, run: Run) {
    if let Some((last_client, last)) = runs.last_mut() {
        if *last_client == client && last.end == run.start && last.at == run.at {
            last.end = run.end;
            return;
        }
    }
    runs.push((client, run));
}

fn id_of(summary: &UpdateSummary, i: usize) -> Id {
    let item = &summary.items[i];
    Id {
        client: item.client,
        clock: item.range.start,
    }
}

/// Adds `range` to sorted, disjoint `ranges`, merging what touches it.
fn insert_range(ranges: &mut Vec<ClockRange>, range: ClockRange) {
    let first = ranges.partition_point(|r| r.end < range.start);
    let last = ranges.partition_point(|r| r.start <= range.end);
    let merged = ranges[first..last].iter().fold(range, |acc, r| ClockRange {
        start: acc.start.min(r.start),
        end: acc.end.max(r.end),
    });
    ranges.splice(first..last, [merged]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::update::{UpdateLimits, validate_update_v1};
    use yrs::updates::decoder::Decode;
    use yrs::{
        Array, ArrayPrelim, ArrayRef, Doc, GetString, Map, MapPrelim, MapRef, Out, ReadTxn,
        StateVector, Text, TextPrelim, TextRef, Transact, TransactionMut, Update,
    };

    const DEPTH: u32 = 8;

    /// The server's document and placements, and what a client's update would do to them.
    struct Server {
        doc: Doc,
        places: Placements,
    }

    /// A client's root containers, taken before any transaction (yrs waits forever for the
    /// open one otherwise).
    struct Client {
        doc: Doc,
        formats: MapRef,
        lists: MapRef,
        guides: MapRef,
    }

    impl Client {
        fn format(&self, txn: &impl ReadTxn) -> MapRef {
            map_at(txn, &self.formats, "f1")
        }

        fn field(&self, txn: &impl ReadTxn) -> TextRef {
            match self.format(txn).get(txn, "side.a.name") {
                Some(Out::YText(text)) => text,
                other => panic!("{other:?}"),
            }
        }

        fn list(&self, txn: &impl ReadTxn) -> ArrayRef {
            match self.lists.get(txn, "kansen") {
                Some(Out::YArray(rows)) => rows,
                other => panic!("{other:?}"),
            }
        }

        fn guide(&self, txn: &impl ReadTxn) -> MapRef {
            map_at(txn, &self.guides, "gids")
        }
    }

    impl Server {
        /// A document with one connection format (`f1`: a text field and an actions list), a
        /// list, a guide with one question and a notes text, written the way the server does.
        fn new() -> Self {
            let mut server = Server {
                doc: Doc::with_client_id(1),
                places: Placements::new(),
            };
            let formats = server.doc.get_or_insert_map(schema::FORMATS);
            let lists = server.doc.get_or_insert_map(schema::LISTS);
            let guides = server.doc.get_or_insert_map(schema::GUIDES);
            let notes = server.doc.get_or_insert_map(schema::NOTES);
            let update = {
                let mut txn = server.doc.transact_mut();
                let format: MapPrelim = [
                    ("activity".to_owned(), yrs::In::from("verbinding")),
                    ("side.a.name".to_owned(), TextPrelim::new("").into()),
                    ("follow.actions".to_owned(), ArrayPrelim::default().into()),
                ]
                .into_iter()
                .collect();
                formats.insert(&mut txn, "f1", format);
                lists.insert(&mut txn, "kansen", ArrayPrelim::default());
                let guide: MapPrelim = [("notes.0".to_owned(), yrs::In::from(TextPrelim::new("")))]
                    .into_iter()
                    .collect();
                guides.insert(&mut txn, "gids", guide);
                notes.insert(&mut txn, "wat-zag-je", TextPrelim::new(""));
                txn.encode_update_v1()
            };
            server.take(&update, Writer::Server).unwrap();
            server
        }

        fn take(&mut self, update: &[u8], writer: Writer) -> Result<(), SchemaViolation> {
            let summary = validate_update_v1(update, &UpdateLimits::default()).unwrap();
            summary
                .check_dependencies(|client| self.places.clock(client))
                .unwrap();
            let admission = self.places.admit(&summary, update, writer)?;
            self.doc
                .transact_mut()
                .apply_update(Update::decode_v1(update).unwrap())
                .unwrap();
            self.places.record(admission);
            Ok(())
        }

        /// A client with the server's document, as it joins.
        fn client(&self, id: u64) -> Client {
            let doc = Doc::with_client_id(id);
            let client = Client {
                formats: doc.get_or_insert_map(schema::FORMATS),
                lists: doc.get_or_insert_map(schema::LISTS),
                guides: doc.get_or_insert_map(schema::GUIDES),
                doc,
            };
            let state = self
                .doc
                .transact()
                .encode_state_as_update_v1(&StateVector::default());
            client
                .doc
                .transact_mut()
                .apply_update(Update::decode_v1(&state).unwrap())
                .unwrap();
            client
        }

        /// What the client does, as one update, offered to the server.
        fn offer(
            &mut self,
            client: &Client,
            edit: impl FnOnce(&mut TransactionMut),
        ) -> Result<(), SchemaViolation> {
            let update = {
                let mut txn = client.doc.transact_mut();
                edit(&mut txn);
                txn.encode_update_v1()
            };
            self.take(&update, Writer::Client { max_depth: DEPTH })
        }
    }

    fn map_at(txn: &impl ReadTxn, map: &MapRef, key: &str) -> MapRef {
        match map.get(txn, key) {
            Some(Out::YMap(map)) => map,
            other => panic!("{key} is {other:?}"),
        }
    }

    #[test]
    fn clients_type_into_the_servers_texts() {
        let mut server = Server::new();
        let client = server.client(7);
        for word in ["kansen ", "en ", "uitdagingen"] {
            server
                .offer(&client, |txn| {
                    let text = client.field(txn);
                    let len = text.len(txn);
                    text.insert(txn, len, word);
                })
                .unwrap();
        }
        server
            .offer(&client, |txn| client.field(txn).remove_range(txn, 0, 7))
            .unwrap();
        let check = server.client(2);
        let txn = check.doc.transact();
        assert_eq!(check.field(&txn).get_string(&txn), "en uitdagingen");
    }

    #[test]
    fn a_client_cannot_overwrite_or_remove_what_the_server_made() {
        let mut server = Server::new();
        let client = server.client(7);
        let overwrite = server.offer(&client, |txn| {
            client.format(txn).insert(txn, "side.a.name", "weg");
        });
        assert!(
            matches!(
                overwrite,
                Err(SchemaViolation::Insert {
                    role: Role::Format,
                    ..
                })
            ),
            "{overwrite:?}"
        );
        let client = server.client(8);
        let removed = server.offer(&client, |txn| {
            client.formats.remove(txn, "f1");
        });
        assert!(
            matches!(removed, Err(SchemaViolation::Delete { .. })),
            "{removed:?}"
        );
        let client = server.client(9);
        let new_entry = server.offer(&client, |txn| {
            client.lists.insert(txn, "eigen", ArrayPrelim::default());
        });
        assert!(new_entry.is_err(), "{new_entry:?}");
        // A root container used as a text: its items land in the container itself.
        let client = server.client(10);
        let notes_as_text = client.doc.get_or_insert_text(schema::NOTES);
        let as_text = server.offer(&client, |txn| notes_as_text.insert(txn, 0, "ha"));
        assert!(as_text.is_err(), "{as_text:?}");
        // The server's texts take text, not shared types.
        let client = server.client(11);
        let embed_type = server.offer(&client, |txn| {
            client.field(txn).insert_embed(txn, 0, MapPrelim::default());
        });
        assert!(embed_type.is_err(), "{embed_type:?}");
    }

    #[test]
    fn rows_are_added_edited_and_removed() {
        let mut server = Server::new();
        let client = server.client(7);
        server
            .offer(&client, |txn| {
                let row: MapPrelim = [
                    ("id".to_owned(), yrs::In::from("r1")),
                    ("text".to_owned(), TextPrelim::new("bieb").into()),
                ]
                .into_iter()
                .collect();
                client.list(txn).push_back(txn, row);
            })
            .unwrap();
        let row = |txn: &TransactionMut| match client.list(txn).get(txn, 0) {
            Some(Out::YMap(row)) => row,
            other => panic!("{other:?}"),
        };
        server
            .offer(&client, |txn| {
                row(txn).insert(txn, "date", "2026-12-12");
            })
            .unwrap();
        server
            .offer(&client, |txn| {
                row(txn).insert(txn, "date", "2026-12-13");
            })
            .expect("a row's field is set again");
        server
            .offer(&client, |txn| {
                let Some(Out::YText(text)) = row(txn).get(txn, "text") else {
                    panic!("no text")
                };
                text.insert(txn, 4, " open");
            })
            .expect("a row's text is typed in");
        let nested = server.offer(&client, |txn| {
            row(txn).insert(txn, "deeper", MapPrelim::default());
        });
        assert!(nested.is_err(), "rows hold values and texts only");
        let client = server.client(8);
        server
            .offer(&client, |txn| client.list(txn).remove(txn, 0))
            .expect("rows are removed");
    }

    #[test]
    fn a_guide_takes_ticks_but_keeps_its_notes() {
        let mut server = Server::new();
        let client = server.client(7);
        server
            .offer(&client, |txn| {
                client.guide(txn).insert(txn, "checked.0", true);
            })
            .unwrap();
        server
            .offer(&client, |txn| {
                client.guide(txn).insert(txn, "checked.0", false);
            })
            .expect("a tick is taken back");
        let notes = server.offer(&client, |txn| {
            client.guide(txn).insert(txn, "notes.0", "weg");
        });
        assert!(notes.is_err(), "{notes:?}");
    }

    #[test]
    fn an_echo_of_what_the_document_has_passes() {
        let mut server = Server::new();
        let state = server
            .doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        server
            .take(&state, Writer::Client { max_depth: DEPTH })
            .expect("a repeat of the server's containers changes nothing");
        // A client's full state (a sync step 2 after a reconnect) with its whole delete set.
        let client = server.client(7);
        server
            .offer(&client, |txn| {
                let guide = client.guide(txn);
                guide.insert(txn, "checked.0", true);
                guide.insert(txn, "checked.0", false);
                let field = client.field(txn);
                field.insert(txn, 0, "abc");
                field.remove_range(txn, 1, 1);
            })
            .unwrap();
        let full = client
            .doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        server
            .take(&full, Writer::Client { max_depth: DEPTH })
            .expect("a full state whose deletions are all allowed passes");
    }

    #[test]
    fn free_roots_take_anything_up_to_the_depth_limit_across_updates() {
        let mut server = Server::new();
        let client = server.client(7);
        let free = client.doc.get_or_insert_map("eigen");
        let mut deepest: Option<MapRef> = None;
        let mut refused = None;
        for step in 1..=(DEPTH + 2) {
            let outcome = server.offer(&client, |txn| {
                let parent = deepest.as_ref().unwrap_or(&free);
                deepest = Some(parent.insert(txn, "k", MapPrelim::default()));
            });
            if let Err(violation) = outcome {
                refused = Some((step, violation));
                break;
            }
        }
        let (step, violation) = refused.expect("the chain is cut off");
        assert_eq!(step, DEPTH + 1);
        assert!(
            matches!(violation, SchemaViolation::TooDeep { depth, .. } if depth == DEPTH + 1),
            "{violation:?}"
        );
    }

    #[test]
    fn placements_rebuilt_from_a_snapshot_judge_alike() {
        let mut server = Server::new();
        let client = server.client(7);
        server
            .offer(&client, |txn| client.field(txn).insert(txn, 0, "abc"))
            .unwrap();
        let snapshot = server
            .doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let mut rebuilt = Server {
            doc: Doc::with_client_id(1),
            places: Placements::new(),
        };
        rebuilt.take(&snapshot, Writer::Server).unwrap();
        assert_eq!(rebuilt.places.clock(7), 3);
        rebuilt
            .offer(&client, |txn| client.field(txn).insert(txn, 3, "d"))
            .expect("typing goes on");
        let overwrite = rebuilt.offer(&client, |txn| {
            client.format(txn).insert(txn, "side.a.name", "weg");
        });
        assert!(overwrite.is_err());
    }
}
