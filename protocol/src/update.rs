//! Validation of Yjs v1 updates before yrs ever sees them.
//!
//! yrs 0.28 trusts the bytes it decodes more than a server can afford to:
//!
//! - an update whose structs or deletions depend on something the document does not have is
//!   accepted and parked as "pending" (or, for a struct that starts beyond the known clock but has
//!   no other dependency, integrated behind a Skip hole), and that state leaks into every sync
//!   answer the server gives afterwards;
//! - values nested deeply enough overflow the stack when they are decoded, dropped or deleted,
//!   which aborts the process (`catch_unwind` cannot catch it);
//! - a few bytes can promise lengths in the billions;
//! - clocks that overflow `u32` and client ids above 2^53 trip debug assertions (and silently
//!   wrap in release builds).
//!
//! [`validate_update_v1`] therefore parses the whole update itself, check-then-parse, refusing
//! anything yrs or Yjs would read differently from us, and returns an [`UpdateSummary`].
//! [`UpdateSummary::check_dependencies`] then compares that summary with the state vector of the
//! server's document, so that an accepted update never leaves pending structs or a pending delete
//! set behind.
//!
//! The wire format follows Yjs `readClientsStructRefs` / `readItemContent` / `readDeleteSet`
//! (v13) and yrs 0.28 `Update::decode` / `ItemContent::decode` / `IdSet::decode`. Where the two
//! disagree (legacy ContentJSON, Y.XmlHook names, flag bits on GC/Skip, content refs above 15,
//! duplicate client sections) the update is refused: a validator that reads bytes differently
//! from the decoder behind it validates nothing.
//!
//! What one update cannot tell, and the server has to handle with its document:
//!
//! - shared types nested across many updates: [`UpdateLimits::max_type_nesting`] bounds one
//!   update, but yrs deletes nested types recursively, so a chain grown over many small updates
//!   still overflows the stack when its outer type is deleted;
//! - a parent ID naming an item of the *document* that is not a shared type: yrs's
//!   `apply_update` returns an error after integrating part of the update (the document stays
//!   consistent; the rest of that update is dropped);
//! - deletions that split a surrogate pair: harmless with `OffsetKind::Utf16` (what Yjs counts
//!   in), but with yrs's default `OffsetKind::Bytes` a later deletion of the rest underflows the
//!   text length. Server documents should use `OffsetKind::Utf16`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::ops::Range;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use thiserror::Error;

use crate::lib0::{DecodeError, MAX_SAFE_INTEGER, Reader};

/// Bounds on what one update may contain. Everything is checked while parsing, before anything
/// proportional to a promised length is allocated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateLimits {
    /// The largest update, in bytes.
    pub max_bytes: usize,
    /// Client sections in the struct part, and clients in the delete set (each counted apart).
    pub max_clients: usize,
    /// Structs (GC, Skip and items) over all client sections.
    pub max_structs: usize,
    /// Clock ranges over all clients of the delete set.
    pub max_delete_ranges: usize,
    /// How deeply lib0 `Any` arrays and maps may nest (ContentAny, subdocument options).
    pub max_any_depth: usize,
    /// How deeply JSON arrays and objects may nest (ContentEmbed, ContentFormat).
    pub max_json_depth: usize,
    /// How many shared types may nest inside each other within this one update. yrs deletes and
    /// garbage-collects nested types recursively, so a deep chain overflows the stack when its
    /// outermost type is deleted later. This bounds one update only; see the module docs.
    pub max_type_nesting: usize,
    /// The highest clock (exclusive end of a struct) an update may reach. yrs stores clocks as
    /// `u32` but computes offsets between them as `i32` while integrating, so the default stays
    /// below 2^31; honest clients are billions of operations away from it.
    pub max_clock: u32,
}

impl Default for UpdateLimits {
    fn default() -> Self {
        Self {
            max_bytes: 1 << 20,
            max_clients: 10_000,
            max_structs: 100_000,
            max_delete_ranges: 100_000,
            max_any_depth: 64,
            max_json_depth: 64,
            max_type_nesting: 128,
            max_clock: i32::MAX as u32,
        }
    }
}

/// A struct identifier: the client that created it and its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id {
    /// The client that created the struct.
    pub client: u64,
    /// Its clock.
    pub clock: u32,
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.client, self.clock)
    }
}

/// A half-open clock range `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClockRange {
    /// The first clock in the range.
    pub start: u32,
    /// The first clock after it.
    pub end: u32,
}

impl fmt::Display for ClockRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// How an item refers to another struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// The item's left neighbour at creation.
    Origin,
    /// The item's right neighbour at creation.
    RightOrigin,
    /// The shared type the item lives in (when it is not a root type).
    Parent,
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefKind::Origin => "origin",
            RefKind::RightOrigin => "right origin",
            RefKind::Parent => "parent",
        })
    }
}

/// One ID an item of the update refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The clock range of the referring item (its client is the section's).
    pub item: ClockRange,
    /// How it refers.
    pub kind: RefKind,
    /// The struct it refers to.
    pub target: Id,
}

/// What the update carries for one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientStructs {
    /// The client.
    pub client: u64,
    /// The clock of the first struct.
    pub start: u32,
    /// The end of the last struct (Skips included); `start == end` for an empty section.
    pub end: u32,
    /// Ranges inside `start..end` that the update leaves out (Skip structs).
    pub skips: Vec<ClockRange>,
    /// End of the last struct that is not a Skip: what applying the update adds for this client.
    pub content_end: Option<u32>,
    /// Every ID the client's items refer to, in wire (= clock) order.
    pub references: Vec<Reference>,
}

/// The delete-set ranges of one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteRanges {
    /// The client whose items are deleted.
    pub client: u64,
    /// Sorted, non-overlapping, non-empty.
    pub ranges: Vec<ClockRange>,
}

/// What a valid update touches, for checking it against the document it is meant for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateSummary {
    /// One entry per client section, in wire order. Client ids are unique.
    pub clients: Vec<ClientStructs>,
    /// The delete set, in wire order. Client ids are unique.
    pub deletes: Vec<DeleteRanges>,
    /// Structs over all sections (GC, Skip and items).
    pub struct_count: usize,
    /// Items that create a shared type (`ContentType`). A server bounds their total per
    /// document.
    pub type_count: usize,
    /// Every item, in wire order (a client's items contiguous and by clock), for placing them
    /// in the document's schema.
    pub(crate) items: Vec<ItemNode>,
    /// GC structs: clock ranges whose content is gone.
    pub(crate) gcs: Vec<(u64, ClockRange)>,
}

/// Why an update was refused. Offsets are byte positions in the update.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UpdateError {
    /// Larger than the limit; refused before parsing.
    #[error("update is {len} bytes, more than the limit of {limit}")]
    TooLarge {
        /// The update's size in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A lib0 value is malformed.
    #[error("malformed update: {0}")]
    Decode(#[from] DecodeError),
    /// More of something than the limits allow.
    #[error("too many {what} at byte {at} (limit {limit})")]
    LimitExceeded {
        /// What there is too much of.
        what: &'static str,
        /// The byte offset in the update.
        at: usize,
        /// The limit.
        limit: usize,
    },
    /// A client id above JavaScript's safe integers.
    #[error("client id {client} at byte {at} is above 2^53-1")]
    ClientTooLarge {
        /// The byte offset in the update.
        at: usize,
        /// The client id.
        client: u64,
    },
    /// The same client twice in one section.
    #[error("client {client} appears twice in the {section} (second time at byte {at})")]
    DuplicateClient {
        /// The byte offset in the update.
        at: usize,
        /// The client id.
        client: u64,
        /// The section: the structs or the delete set.
        section: &'static str,
    },
    /// A struct whose clocks would pass the limit.
    #[error(
        "struct of client {client} at byte {at} reaches clock {clock} + {len}, beyond the limit of {limit}"
    )]
    ClockOverflow {
        /// The byte offset in the update.
        at: usize,
        /// The struct's client.
        client: u64,
        /// The struct's first clock.
        clock: u32,
        /// The struct's length in clocks.
        len: u32,
        /// The highest clock allowed.
        limit: u32,
    },
    /// Something that may not be empty is.
    #[error("{what} at byte {at} has length 0")]
    Empty {
        /// The byte offset in the update.
        at: usize,
        /// What is empty.
        what: &'static str,
    },
    /// A struct info byte of no known kind.
    #[error("struct info byte {info:#04x} at byte {at} is neither GC, Skip nor a known item kind")]
    InvalidInfo {
        /// The byte offset in the update.
        at: usize,
        /// The info byte.
        info: u8,
    },
    /// A parent info that is neither an ID nor a root name.
    #[error("parent info {value} at byte {at} is neither 0 (parent ID) nor 1 (root name)")]
    InvalidParentInfo {
        /// The byte offset in the update.
        at: usize,
        /// The value read.
        value: u64,
    },
    /// A valid Yjs feature the server refuses.
    #[error("{what} at byte {at} is refused: {reason}")]
    Unsupported {
        /// The byte offset in the update.
        at: usize,
        /// The feature.
        what: &'static str,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A shared type kind Yjs does not have.
    #[error("unknown shared type ref {type_ref} at byte {at}")]
    UnknownTypeRef {
        /// The byte offset in the update.
        at: usize,
        /// The type ref read.
        type_ref: u8,
    },
    /// A lib0 Any value of unknown kind.
    #[error("unknown lib0 Any tag {tag} at byte {at}")]
    UnknownAnyTag {
        /// The byte offset in the update.
        at: usize,
        /// The tag read.
        tag: u8,
    },
    /// An integer outside JavaScript's safe range.
    #[error("integer {value} at byte {at} is outside JavaScript's safe integer range")]
    IntegerOutOfRange {
        /// The byte offset in the update.
        at: usize,
        /// The integer.
        value: i64,
    },
    /// A JSON string that yrs would not parse.
    #[error("invalid JSON in the string at byte {at}: {reason}")]
    InvalidJson {
        /// The byte offset in the update.
        at: usize,
        /// The parser's message.
        reason: String,
    },
    /// An item whose parent is neither a shared type nor deleted.
    #[error(
        "item at byte {at} names {target} as its parent, which is neither a shared type nor deleted"
    )]
    InvalidParent {
        /// The byte offset in the update.
        at: usize,
        /// The parent it names.
        target: Id,
    },
    /// Delete ranges out of order or overlapping.
    #[error("delete ranges of client {client} at byte {at} are not sorted or overlap")]
    UnsortedDeleteRanges {
        /// The byte offset in the update.
        at: usize,
        /// The client whose ranges they are.
        client: u64,
    },
    /// Bytes after the delete set.
    #[error("{count} unexpected bytes after the delete set at byte {at}")]
    TrailingBytes {
        /// The byte offset in the update.
        at: usize,
        /// How many bytes are left over.
        count: usize,
    },
}

/// Why an update cannot be applied to a document without leaving pending state behind.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MissingDependency {
    /// The update starts past what the document has for a client.
    #[error(
        "structs of client {client} start at clock {start}, but the document only knows up to {known}"
    )]
    Gap {
        /// The client.
        client: u64,
        /// The update's first clock for it.
        start: u32,
        /// The clock the document knows up to.
        known: u32,
    },
    /// A skip over clocks the document does not have.
    #[error(
        "skip {skip} of client {client} covers clocks the document does not have (it knows up to {known})"
    )]
    UnknownSkip {
        /// The client.
        client: u64,
        /// The skipped range.
        skip: ClockRange,
        /// The clock the document knows up to.
        known: u32,
    },
    /// An item refers to a struct nobody provides first.
    #[error(
        "item {item} refers to {target} as its {kind}, which neither the document nor the update provides first"
    )]
    Reference {
        /// The referring item.
        item: Id,
        /// How it refers.
        kind: RefKind,
        /// The struct it refers to.
        target: Id,
    },
    /// A deletion past what the document would have.
    #[error(
        "deletion {range} of client {client} reaches beyond clock {known}, all the document would have"
    )]
    Delete {
        /// The client whose items would be deleted.
        client: u64,
        /// The deleted range.
        range: ClockRange,
        /// The clock the document would know up to.
        known: u32,
    },
}

/// Item info byte flags (Yjs `BIT8`, `BIT7`, `BIT6`).
const HAS_ORIGIN: u8 = 0x80;
const HAS_RIGHT_ORIGIN: u8 = 0x40;
const HAS_PARENT_SUB: u8 = 0x20;
/// The content ref lives in the low five bits (Yjs `BITS5`).
const CONTENT_MASK: u8 = 0x1f;

const INFO_GC: u8 = 0;
const INFO_SKIP: u8 = 10;

const CONTENT_DELETED: u8 = 1;
const CONTENT_JSON: u8 = 2;
const CONTENT_BINARY: u8 = 3;
const CONTENT_STRING: u8 = 4;
const CONTENT_EMBED: u8 = 5;
const CONTENT_FORMAT: u8 = 6;
const CONTENT_TYPE: u8 = 7;
const CONTENT_ANY: u8 = 8;
const CONTENT_DOC: u8 = 9;

const TYPE_ARRAY: u8 = 0;
const TYPE_MAP: u8 = 1;
const TYPE_TEXT: u8 = 2;
const TYPE_XML_ELEMENT: u8 = 3;
const TYPE_XML_FRAGMENT: u8 = 4;
const TYPE_XML_HOOK: u8 = 5;
const TYPE_XML_TEXT: u8 = 6;

/// Parse and check a Yjs v1 update completely, without allocating anything the bytes do not pay
/// for. See the module docs for what is refused and why.
pub fn validate_update_v1(
    bytes: &[u8],
    limits: &UpdateLimits,
) -> Result<UpdateSummary, UpdateError> {
    if bytes.len() > limits.max_bytes {
        return Err(UpdateError::TooLarge {
            len: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let mut parser = Parser {
        r: Reader::new(bytes),
        limits,
        struct_count: 0,
        nodes: Vec::new(),
        gcs: Vec::new(),
        type_count: 0,
        last_type: TypeKind::Map,
    };
    let clients = parser.struct_sections()?;
    let deletes = parser.delete_set()?;
    if !parser.r.is_empty() {
        // Yjs and yrs both ignore trailing bytes; we refuse them so that what we relay to other
        // peers is exactly what we checked.
        return Err(UpdateError::TrailingBytes {
            at: parser.r.position(),
            count: parser.r.remaining(),
        });
    }
    let index = ItemIndex::new(&parser.nodes);
    check_parents(&index)?;
    // A chain of nested types can be no longer than the number of types, so the nesting walk
    // only runs for updates that could exceed the bound.
    if parser.type_count > limits.max_type_nesting {
        check_type_nesting(&index, limits.max_type_nesting)?;
    }
    Ok(UpdateSummary {
        clients,
        deletes,
        struct_count: parser.struct_count,
        type_count: parser.type_count,
        items: parser.nodes,
        gcs: parser.gcs,
    })
}

/// How an item names its parent, kept for the parent and type nesting checks and for placing
/// the item in the document's schema ([`crate::placement`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParentLink {
    /// A root type, by name (where the name is in the update's bytes): a chain ends here.
    Root(Range<usize>),
    /// An explicit parent ID.
    Parent(Id),
    /// No parent on the wire: the parent (and map key) is the one of this neighbour (origin,
    /// else right origin).
    Sibling(Id),
}

/// What kind of content an item has, as far as parent links care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Type,
    Deleted,
    Other,
}

/// The shared type a `ContentType` item creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// `Y.Array`.
    Array,
    /// `Y.Map`.
    Map,
    /// `Y.Text`.
    Text,
    /// `Y.XmlElement`.
    XmlElement,
    /// `Y.XmlFragment`.
    XmlFragment,
    /// `Y.XmlText`.
    XmlText,
}

/// An item's content, as far as the document's schema cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentKind {
    /// Deleted content (only its length is left).
    Deleted,
    /// A binary blob.
    Binary,
    /// Text.
    String,
    /// An embed in a text.
    Embed,
    /// A formatting mark in a text.
    Format,
    /// lib0 Any values (plain JSON-like values).
    Any,
    /// A new shared type.
    Type(TypeKind),
}

/// One item, for the checks that follow links between items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemNode {
    pub(crate) client: u64,
    pub(crate) range: ClockRange,
    pub(crate) kind: NodeKind,
    pub(crate) content: ContentKind,
    pub(crate) parent: ParentLink,
    /// Where the map key (`parentSub`) is in the update's bytes, when the parent is on the wire.
    /// Byte ranges, not strings: the validator allocates nothing per item for names.
    pub(crate) key: Option<Range<usize>>,
    /// Byte offset of the item, for the error message.
    pub(crate) at: usize,
}

struct Parser<'a, 'l> {
    r: Reader<'a>,
    limits: &'l UpdateLimits,
    struct_count: usize,
    nodes: Vec<ItemNode>,
    gcs: Vec<(u64, ClockRange)>,
    type_count: usize,
    /// The type ref of the last `ContentType` read.
    last_type: TypeKind,
}

impl Parser<'_, '_> {
    fn struct_sections(&mut self) -> Result<Vec<ClientStructs>, UpdateError> {
        let at = self.r.position();
        // A section is at least three bytes: struct count, client, clock.
        let count = self.r.read_len(3)?;
        self.limit(count, self.limits.max_clients, "client sections", at)?;
        let mut seen = HashSet::with_capacity(count);
        let mut clients = Vec::with_capacity(count);
        for _ in 0..count {
            let at = self.r.position();
            // The smallest struct is two bytes (info and length).
            let structs = self.r.read_len(2)?;
            self.struct_count += structs;
            self.limit(self.struct_count, self.limits.max_structs, "structs", at)?;
            let client_at = self.r.position();
            let client = self.client()?;
            if !seen.insert(client) {
                // yrs appends a second section to the first, Yjs replaces the first with it.
                return Err(UpdateError::DuplicateClient {
                    at: client_at,
                    client,
                    section: "struct sections",
                });
            }
            let clock_at = self.r.position();
            let clock = self.r.read_var_u32()?;
            if clock > self.limits.max_clock {
                return Err(UpdateError::ClockOverflow {
                    at: clock_at,
                    client,
                    clock,
                    len: 0,
                    limit: self.limits.max_clock,
                });
            }
            let mut section = ClientStructs {
                client,
                start: clock,
                end: clock,
                skips: Vec::new(),
                content_end: None,
                references: Vec::new(),
            };
            for _ in 0..structs {
                self.one_struct(&mut section)?;
            }
            clients.push(section);
        }
        Ok(clients)
    }

    fn one_struct(&mut self, section: &mut ClientStructs) -> Result<(), UpdateError> {
        let at = self.r.position();
        let info = self.r.read_u8()?;
        let start = section.end;
        match info {
            INFO_GC => {
                let len = self.nonzero_len(at, "GC struct")?;
                section.end = self.advance(section.client, start, len, at)?;
                section.content_end = Some(section.end);
                self.gcs.push((
                    section.client,
                    ClockRange {
                        start,
                        end: section.end,
                    },
                ));
            }
            INFO_SKIP => {
                let len = self.nonzero_len(at, "Skip struct")?;
                section.end = self.advance(section.client, start, len, at)?;
                section.skips.push(ClockRange {
                    start,
                    end: section.end,
                });
            }
            _ => {
                let content = info & CONTENT_MASK;
                // GC and Skip carry no flags: Yjs masks them off, yrs would read an item.
                if !(CONTENT_DELETED..=CONTENT_DOC).contains(&content) {
                    return Err(UpdateError::InvalidInfo { at, info });
                }
                let origin = if info & HAS_ORIGIN != 0 {
                    Some(self.id()?)
                } else {
                    None
                };
                let right_origin = if info & HAS_RIGHT_ORIGIN != 0 {
                    Some(self.id()?)
                } else {
                    None
                };
                let mut parent = None;
                let mut root = None;
                let mut key = None;
                // Without neighbours the parent is on the wire; with them it is inherited.
                if info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0 {
                    let info_at = self.r.position();
                    match self.r.read_var_u64()? {
                        1 => {
                            let name = self.r.read_var_string()?;
                            let end = self.r.position();
                            root = Some(end - name.len()..end);
                        }
                        0 => parent = Some(self.id()?),
                        value => {
                            // Both decoders treat anything but 1 as "parent ID"; no encoder
                            // writes other values, so they are noise at best.
                            return Err(UpdateError::InvalidParentInfo { at: info_at, value });
                        }
                    }
                    if info & HAS_PARENT_SUB != 0 {
                        let name = self.r.read_var_string()?;
                        let end = self.r.position();
                        key = Some(end - name.len()..end);
                    }
                }
                let len = self.content(content, at)?;
                let end = self.advance(section.client, start, len, at)?;
                let item = ClockRange { start, end };
                for (kind, target) in [
                    (RefKind::Origin, origin),
                    (RefKind::RightOrigin, right_origin),
                    (RefKind::Parent, parent),
                ] {
                    if let Some(target) = target {
                        section.references.push(Reference { item, kind, target });
                    }
                }
                let kind = match content {
                    CONTENT_TYPE => NodeKind::Type,
                    CONTENT_DELETED => NodeKind::Deleted,
                    _ => NodeKind::Other,
                };
                self.type_count += usize::from(kind == NodeKind::Type);
                let content = match content {
                    CONTENT_DELETED => ContentKind::Deleted,
                    CONTENT_BINARY => ContentKind::Binary,
                    CONTENT_STRING => ContentKind::String,
                    CONTENT_EMBED => ContentKind::Embed,
                    CONTENT_FORMAT => ContentKind::Format,
                    CONTENT_TYPE => ContentKind::Type(self.last_type),
                    _ => ContentKind::Any,
                };
                self.nodes.push(ItemNode {
                    client: section.client,
                    range: item,
                    kind,
                    content,
                    parent: match (parent, origin.or(right_origin), root) {
                        (Some(p), _, _) => ParentLink::Parent(p),
                        (None, Some(sibling), _) => ParentLink::Sibling(sibling),
                        (None, None, root) => ParentLink::Root(root.unwrap_or(0..0)),
                    },
                    key,
                    at,
                });
                section.end = end;
                section.content_end = Some(end);
            }
        }
        Ok(())
    }

    /// Reads the content of an item and returns its length in clock ticks.
    fn content(&mut self, content: u8, item_at: usize) -> Result<u32, UpdateError> {
        let at = self.r.position();
        let len = match content {
            CONTENT_DELETED => self.nonzero_len(item_at, "deleted item")?,
            CONTENT_JSON => {
                return Err(UpdateError::Unsupported {
                    at: item_at,
                    what: "legacy ContentJSON",
                    reason: "yrs 0.28 reads one string more than Yjs writes",
                });
            }
            CONTENT_BINARY => {
                self.r.read_var_bytes()?;
                1
            }
            CONTENT_STRING => {
                let text = self.r.read_var_string()?;
                // Item lengths count UTF-16 code units, in Yjs and in yrs.
                let units: usize = text.chars().map(char::len_utf16).sum();
                if units == 0 {
                    return Err(UpdateError::Empty {
                        at: item_at,
                        what: "string item",
                    });
                }
                u32::try_from(units).map_err(|_| DecodeError::VarIntOverflow(at))?
            }
            CONTENT_EMBED => {
                self.json()?;
                1
            }
            CONTENT_FORMAT => {
                self.r.read_var_string()?;
                self.json()?;
                1
            }
            CONTENT_TYPE => {
                // Yjs reads the type ref as a varint, yrs as a byte: equal below 128.
                let type_ref = self.r.read_u8()?;
                self.last_type = match type_ref {
                    TYPE_ARRAY => TypeKind::Array,
                    TYPE_MAP => TypeKind::Map,
                    TYPE_TEXT => TypeKind::Text,
                    TYPE_XML_FRAGMENT => TypeKind::XmlFragment,
                    TYPE_XML_TEXT => TypeKind::XmlText,
                    TYPE_XML_ELEMENT => {
                        self.r.read_var_string()?;
                        TypeKind::XmlElement
                    }
                    TYPE_XML_HOOK => {
                        return Err(UpdateError::Unsupported {
                            at,
                            what: "Y.XmlHook",
                            reason: "Yjs writes a hook name that yrs 0.28 does not read",
                        });
                    }
                    // 7 (weak link) needs a yrs feature we do not build, 9 and 15 are yrs-only
                    // and crash Yjs peers.
                    _ => return Err(UpdateError::UnknownTypeRef { at, type_ref }),
                };
                1
            }
            CONTENT_ANY => {
                let count = self.r.read_len(1)?;
                if count == 0 {
                    return Err(UpdateError::Empty {
                        at: item_at,
                        what: "Any item",
                    });
                }
                let count = u32::try_from(count).map_err(|_| DecodeError::VarIntOverflow(at))?;
                for _ in 0..count {
                    self.any()?;
                }
                count
            }
            CONTENT_DOC => {
                // Found by the update_validator fuzz target: once yrs 0.28 integrates a
                // subdocument, it and its parent keep each other alive, so dropping the session's
                // document frees none of it (LeakSanitizer). One 16-byte update would pin a
                // whole document for the life of the process; no client of ours uses them.
                return Err(UpdateError::Unsupported {
                    at: item_at,
                    what: "subdocument (ContentDoc)",
                    reason: "yrs 0.28 never frees a document that holds one",
                });
            }
            _ => {
                return Err(UpdateError::InvalidInfo {
                    at: item_at,
                    info: content,
                });
            }
        };
        Ok(len)
    }

    /// One lib0 `Any` value, walked with an explicit stack bounded by `max_any_depth`.
    fn any(&mut self) -> Result<(), UpdateError> {
        struct Frame {
            remaining: usize,
            is_map: bool,
        }
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let at = self.r.position();
            let tag = self.r.read_u8()?;
            let container = match tag {
                // undefined, null, false, true
                127 | 126 | 121 | 120 => None,
                125 => {
                    let value = self.r.read_var_i64()?;
                    // lib0 only writes 31-bit integers this way and its reader refuses anything
                    // beyond 2^53; yrs wraps or panics on the 64-bit edges.
                    if value.unsigned_abs() > MAX_SAFE_INTEGER {
                        return Err(UpdateError::IntegerOutOfRange { at, value });
                    }
                    None
                }
                124 => {
                    self.r.read_exact(4)?; // float32
                    None
                }
                123 | 122 => {
                    self.r.read_exact(8)?; // float64, bigint64
                    None
                }
                119 => {
                    self.r.read_var_string()?;
                    None
                }
                // an entry is at least a key length and a value tag
                118 => Some((self.r.read_len(2)?, true)),
                117 => Some((self.r.read_len(1)?, false)),
                116 => {
                    self.r.read_var_bytes()?;
                    None
                }
                _ => return Err(UpdateError::UnknownAnyTag { at, tag }),
            };
            if let Some((remaining, is_map)) = container {
                if stack.len() >= self.limits.max_any_depth {
                    return Err(UpdateError::LimitExceeded {
                        what: "nested Any levels",
                        at,
                        limit: self.limits.max_any_depth,
                    });
                }
                stack.push(Frame { remaining, is_map });
            }
            // Find the next value to read: the next child of the innermost unfinished container.
            loop {
                let Some(frame) = stack.last_mut() else {
                    return Ok(());
                };
                if frame.remaining == 0 {
                    stack.pop();
                    continue;
                }
                frame.remaining -= 1;
                if frame.is_map {
                    self.r.read_var_string()?;
                }
                break;
            }
        }
    }

    /// A JSON string as ContentEmbed and ContentFormat carry it: yrs parses it with serde_json
    /// into `Any`, so we accept exactly what that accepts, within the depth limit.
    fn json(&mut self) -> Result<(), UpdateError> {
        let at = self.r.position();
        let text = self.r.read_var_string()?;
        let mut de = serde_json::Deserializer::from_str(text);
        JsonCheck {
            depth: 0,
            max_depth: self.limits.max_json_depth,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| UpdateError::InvalidJson {
            at,
            reason: e.to_string(),
        })
    }

    fn delete_set(&mut self) -> Result<Vec<DeleteRanges>, UpdateError> {
        let at = self.r.position();
        // A client entry is at least a client id and a range count.
        let count = self.r.read_len(2)?;
        self.limit(count, self.limits.max_clients, "delete set clients", at)?;
        let mut seen = HashSet::with_capacity(count);
        let mut deletes = Vec::with_capacity(count);
        let mut total = 0usize;
        for _ in 0..count {
            let client_at = self.r.position();
            let client = self.client()?;
            if !seen.insert(client) {
                // yrs keeps the last entry, Yjs merges them.
                return Err(UpdateError::DuplicateClient {
                    at: client_at,
                    client,
                    section: "delete set",
                });
            }
            let ranges_at = self.r.position();
            let ranges = self.r.read_len(2)?;
            total += ranges;
            self.limit(
                total,
                self.limits.max_delete_ranges,
                "delete ranges",
                ranges_at,
            )?;
            let mut entry = DeleteRanges {
                client,
                ranges: Vec::with_capacity(ranges),
            };
            for _ in 0..ranges {
                let at = self.r.position();
                let clock = self.r.read_var_u32()?;
                let len = self.nonzero_len(at, "delete range")?;
                let end = self.advance(client, clock, len, at)?;
                // yrs takes the decoded ranges as they come and relies on them being sorted and
                // disjoint; Yjs always writes them so.
                if entry.ranges.last().is_some_and(|prev| prev.end > clock) {
                    return Err(UpdateError::UnsortedDeleteRanges { at, client });
                }
                entry.ranges.push(ClockRange { start: clock, end });
            }
            deletes.push(entry);
        }
        Ok(deletes)
    }

    fn client(&mut self) -> Result<u64, UpdateError> {
        let at = self.r.position();
        let client = self.r.read_var_u64()?;
        if client > MAX_SAFE_INTEGER {
            return Err(UpdateError::ClientTooLarge { at, client });
        }
        Ok(client)
    }

    fn id(&mut self) -> Result<Id, UpdateError> {
        let client = self.client()?;
        let clock = self.r.read_var_u32()?;
        Ok(Id { client, clock })
    }

    fn nonzero_len(&mut self, at: usize, what: &'static str) -> Result<u32, UpdateError> {
        let len = self.r.read_var_u32()?;
        if len == 0 {
            // yrs refuses empty GC and Skip structs and silently drops empty items, which would
            // shift the clocks of everything after them against what Yjs peers compute.
            return Err(UpdateError::Empty { at, what });
        }
        Ok(len)
    }

    fn advance(&self, client: u64, clock: u32, len: u32, at: usize) -> Result<u32, UpdateError> {
        clock
            .checked_add(len)
            .filter(|end| *end <= self.limits.max_clock)
            .ok_or(UpdateError::ClockOverflow {
                at,
                client,
                clock,
                len,
                limit: self.limits.max_clock,
            })
    }

    fn limit(
        &self,
        count: usize,
        limit: usize,
        what: &'static str,
        at: usize,
    ) -> Result<(), UpdateError> {
        if count > limit {
            return Err(UpdateError::LimitExceeded { what, at, limit });
        }
        Ok(())
    }
}

/// Walks a JSON document without building it, mirroring what yrs's `Any` deserializer accepts.
#[derive(Clone, Copy)]
struct JsonCheck {
    depth: usize,
    max_depth: usize,
}

impl JsonCheck {
    fn nested<E: serde::de::Error>(&self) -> Result<JsonCheck, E> {
        if self.depth >= self.max_depth {
            return Err(E::custom(format_args!(
                "nested deeper than {} levels",
                self.max_depth
            )));
        }
        Ok(JsonCheck {
            depth: self.depth + 1,
            max_depth: self.max_depth,
        })
    }
}

impl<'de> DeserializeSeed<'de> for JsonCheck {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonCheck {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<(), E> {
        // yrs's Any holds integers as i64 and refuses larger ones.
        if value > i64::MAX as u64 {
            return Err(E::custom(format_args!("integer {value} does not fit i64")));
        }
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.nested()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = self.nested()?;
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

/// The update's items by ID, for the checks that follow links between them.
struct ItemIndex<'n> {
    nodes: &'n [ItemNode],
    /// Items of one client are contiguous and sorted by clock (sections are unique per client).
    by_client: HashMap<u64, (usize, usize)>,
}

impl<'n> ItemIndex<'n> {
    fn new(nodes: &'n [ItemNode]) -> Self {
        let mut by_client: HashMap<u64, (usize, usize)> = HashMap::new();
        for (i, node) in nodes.iter().enumerate() {
            by_client
                .entry(node.client)
                .and_modify(|span| span.1 = i + 1)
                .or_insert((i, i + 1));
        }
        Self { nodes, by_client }
    }

    /// The item containing `id`, if it is in the update.
    fn find(&self, id: Id) -> Option<usize> {
        let &(from, to) = self.by_client.get(&id.client)?;
        let slice = &self.nodes[from..to];
        let i = slice.partition_point(|n| n.range.end <= id.clock);
        slice
            .get(i)
            .filter(|n| n.range.start <= id.clock)
            .map(|_| from + i)
    }
}

/// yrs refuses (with an error, after integrating whatever came before) an item whose parent ID
/// names an item that is neither a shared type nor deleted content; Yjs turns it into GC. For
/// parents inside the update we can tell, and refuse.
fn check_parents(index: &ItemIndex<'_>) -> Result<(), UpdateError> {
    for node in index.nodes {
        if let ParentLink::Parent(target) = node.parent {
            if let Some(p) = index.find(target) {
                if index.nodes[p].kind == NodeKind::Other {
                    return Err(UpdateError::InvalidParent {
                        at: node.at,
                        target,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Refuses updates in which more than `max` shared types nest inside each other. Only links
/// inside the update are followed: a type whose parent is in the document counts from 1.
fn check_type_nesting(index: &ItemIndex<'_>, max: usize) -> Result<(), UpdateError> {
    /// Memo slot for the iterative walks below; `Visiting` marks a cycle (which
    /// `check_dependencies` refuses anyway) and simply ends the chain.
    #[derive(Clone, Copy)]
    enum Slot<T> {
        Unresolved,
        Visiting,
        Resolved(T),
    }
    let nodes = index.nodes;
    let is_type = |i: usize| nodes[i].kind == NodeKind::Type;

    // The type item (inside the update) each item lives in, following sibling links.
    let mut parent_of = vec![Slot::<Option<usize>>::Unresolved; nodes.len()];
    let mut path = Vec::new();
    for start in 0..nodes.len() {
        path.clear();
        let mut i = start;
        let result = loop {
            match parent_of[i] {
                Slot::Resolved(parent) => break parent,
                Slot::Visiting => break None,
                Slot::Unresolved => {}
            }
            parent_of[i] = Slot::Visiting;
            path.push(i);
            match nodes[i].parent {
                ParentLink::Root(_) => break None,
                ParentLink::Parent(id) => break index.find(id).filter(|&p| is_type(p)),
                ParentLink::Sibling(id) => match index.find(id) {
                    Some(sibling) => i = sibling,
                    None => break None,
                },
            }
        };
        for &j in &path {
            parent_of[j] = Slot::Resolved(result);
        }
    }

    // How many types enclose each type item, itself included.
    let mut depth = vec![Slot::<usize>::Unresolved; nodes.len()];
    for start in (0..nodes.len()).filter(|&i| is_type(i)) {
        path.clear();
        let mut t = start;
        let base = loop {
            match depth[t] {
                Slot::Resolved(d) => break d,
                Slot::Visiting => break 0,
                Slot::Unresolved => {}
            }
            depth[t] = Slot::Visiting;
            path.push(t);
            match parent_of[t] {
                Slot::Resolved(Some(parent)) => t = parent,
                _ => break 0,
            }
        };
        let mut d = base;
        for &t in path.iter().rev() {
            d += 1;
            depth[t] = Slot::Resolved(d);
            if d > max {
                return Err(UpdateError::LimitExceeded {
                    what: "nested shared types",
                    at: nodes[t].at,
                    limit: max,
                });
            }
        }
    }
    Ok(())
}

impl UpdateSummary {
    /// Whether the update carries nothing at all (no struct, no deletion), like the sync step
    /// 2 of a client that has not written yet.
    pub fn is_empty(&self) -> bool {
        self.struct_count == 0 && self.deletes.iter().all(|d| d.ranges.is_empty())
    }

    /// Checks that the update can be applied completely to a document whose state vector gives
    /// `known_clock(client)`: no struct starts beyond what the document (or the update itself)
    /// has for its client, every Skip covers only clocks the document has, every referenced ID is
    /// in the document or provided by the update before the item that needs it (no cycles), and
    /// every deletion lies within what the document has after the update. When this passes,
    /// yrs integrates everything and keeps nothing pending.
    pub fn check_dependencies(
        &self,
        known_clock: impl Fn(u64) -> u32,
    ) -> Result<(), MissingDependency> {
        // avail[c]: the clock up to which client c is available so far (document, then the
        // update's structs as they integrate).
        let mut avail: HashMap<u64, u32> = HashMap::new();
        let mut known: HashMap<u64, u32> = HashMap::new();
        let mut known_of =
            |client: u64| *known.entry(client).or_insert_with(|| known_clock(client));

        for section in &self.clients {
            let k = known_of(section.client);
            avail.insert(section.client, k);
            if section.start == section.end {
                continue;
            }
            if section.start > k {
                return Err(MissingDependency::Gap {
                    client: section.client,
                    start: section.start,
                    known: k,
                });
            }
            // With no Skip beyond the known clock, the update's structs are contiguous with the
            // document's: there is no hole for yrs to paper over with a Skip of its own.
            if let Some(skip) = section.skips.iter().find(|s| s.end > k) {
                return Err(MissingDependency::UnknownSkip {
                    client: section.client,
                    skip: *skip,
                    known: k,
                });
            }
        }

        // Integrate like yrs does (a client's structs in order; a struct waits until what it
        // refers to is available), but with a work list instead of yrs's stack, so that waiting
        // costs nothing. Whatever cannot be integrated is what yrs would leave pending.
        let mut next_ref = vec![0usize; self.clients.len()];
        let mut blocked_on: Vec<Option<Reference>> = vec![None; self.clients.len()];
        let mut waiting: HashMap<u64, BinaryHeap<Reverse<(u32, usize)>>> = HashMap::new();
        let mut ready: VecDeque<usize> = (0..self.clients.len()).collect();

        while let Some(ci) = ready.pop_front() {
            let section = &self.clients[ci];
            let k = known_of(section.client);
            blocked_on[ci] = None;
            while let Some(reference) = section.references.get(next_ref[ci]) {
                // Everything before this item has integrated.
                raise(&mut avail, section.client, reference.item.start);
                if !needed(reference, k) || satisfied(&avail, &mut known_of, reference.target) {
                    next_ref[ci] += 1;
                    let next_item = section.references.get(next_ref[ci]).map(|r| r.item);
                    if next_item != Some(reference.item) {
                        raise(&mut avail, section.client, reference.item.end);
                    }
                    continue;
                }
                waiting
                    .entry(reference.target.client)
                    .or_default()
                    .push(Reverse((reference.target.clock, ci)));
                blocked_on[ci] = Some(*reference);
                break;
            }
            if blocked_on[ci].is_none() {
                if let Some(end) = section.content_end {
                    raise(&mut avail, section.client, end);
                }
            }
            // Wake whoever waits on this client's progress.
            let now = avail.get(&section.client).copied().unwrap_or(0);
            if let Some(heap) = waiting.get_mut(&section.client) {
                while let Some(&Reverse((clock, waiter))) = heap.peek() {
                    if clock >= now {
                        break;
                    }
                    heap.pop();
                    ready.push_back(waiter);
                }
            }
        }
        let stuck = self.clients.iter().zip(&blocked_on);
        if let Some((section, Some(reference))) = stuck.into_iter().find(|(_, b)| b.is_some()) {
            return Err(MissingDependency::Reference {
                item: Id {
                    client: section.client,
                    clock: reference.item.start,
                },
                kind: reference.kind,
                target: reference.target,
            });
        }

        for entry in &self.deletes {
            let have = match avail.get(&entry.client) {
                Some(&clock) => clock,
                None => known_of(entry.client),
            };
            if let Some(range) = entry.ranges.iter().find(|r| r.end > have) {
                return Err(MissingDependency::Delete {
                    client: entry.client,
                    range: *range,
                    known: have,
                });
            }
        }
        Ok(())
    }
}

fn raise(avail: &mut HashMap<u64, u32>, client: u64, clock: u32) {
    let entry = avail.entry(client).or_insert(0);
    *entry = (*entry).max(clock);
}

/// Whether yrs still looks at this reference. It drops the parts of an item the document already
/// has: a fully known item is skipped, and a partly known one is cut so that its origin becomes
/// its own (known) left part; its right origin and parent still have to exist.
fn needed(reference: &Reference, known: u32) -> bool {
    if reference.item.end <= known {
        return false;
    }
    !(reference.item.start < known && reference.kind == RefKind::Origin)
}

fn satisfied(avail: &HashMap<u64, u32>, known_of: &mut impl FnMut(u64) -> u32, target: Id) -> bool {
    let have = match avail.get(&target.client) {
        Some(&clock) => clock,
        None => known_of(target.client),
    };
    target.clock < have
}
