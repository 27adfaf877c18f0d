//! The brainstorm board: post-its ("in de chat"), votes and groups.
//!
//! Post-its are created only through validated commands: the server stamps who wrote it, when,
//! and in which phase, round and stage, so none of that can be forged through the document.
//!
//! One `Board` value holds every board of a session: each carousel round and each phase with
//! post-its outside the carousel is a board of its own ([`Idea::board`]). Votes are a budget
//! per board; groups hold post-its of one board. The caps and the posting rate stay per
//! session: they bound what one session holds, however its post-its are spread.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use werkplaats_protocol::workshop::{GroupView, IdeaView, board_of};

use super::CommandError;

/// Defaults of [`BoardLimits`] (and of their flags, `limits/session.rs`).
pub const MAX_IDEA_CHARS: usize = 500;
pub const MAX_GROUPS: usize = 200;
/// Post-its one participant may post in a burst, and how fast the allowance refills.
pub const POST_BURST: u32 = 10;
pub const POSTS_PER_MINUTE: u32 = 20;
pub const MAX_LABEL_CHARS: usize = 80;
const MAX_CLIENT_REF_CHARS: usize = 64;

/// How much one board may hold. Together they bound the session view that every
/// facilitator's `hello` gets: with the defaults, at most 512 KiB of post-it text plus about
/// 300 bytes of ids, names and flags per post-it (2,000: 0.6 MB), well within the websocket
/// frame a client accepts. Before, 1,000 post-its of 500 emoji (2 KB each) made it 2 MB, and
/// the facilitator got no session at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardLimits {
    pub max_ideas: usize,
    /// Post-its one participant may have on the board; a script with the join code fills the
    /// board no faster than this many per name it joins with.
    pub max_ideas_per_author: usize,
    /// Bytes of post-it text on the board (UTF-8: an emoji is 4 bytes).
    pub max_text_bytes: usize,
    /// Characters in one post-it.
    pub max_idea_chars: usize,
    pub max_groups: usize,
    /// Post-its one author may post at once, then `posts_per_minute`.
    pub post_burst: u32,
    pub posts_per_minute: u32,
}

impl Default for BoardLimits {
    fn default() -> Self {
        Self {
            max_ideas: 2_000,
            max_ideas_per_author: 200,
            max_text_bytes: 512 * 1024,
            max_idea_chars: MAX_IDEA_CHARS,
            max_groups: MAX_GROUPS,
            post_burst: POST_BURST,
            posts_per_minute: POSTS_PER_MINUTE,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Idea {
    pub id: String,
    pub text: String,
    pub author_id: String,
    pub author_name: String,
    pub anonymous: bool,
    pub client_ref: String,
    pub created_at: i64,
    pub phase_id: String,
    pub round_id: Option<String>,
    pub stage_id: Option<String>,
    pub voters: BTreeSet<String>,
    pub group_id: Option<String>,
    pub hidden: bool,
    /// An anonymous post-it's author, as only their own connections can recompute it
    /// (`ids::author_tag`); empty for others.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author_tag: String,
}

/// Who is asking about a post-it: their id and their connection's author key.
#[derive(Clone, Copy)]
pub struct Writer<'a> {
    pub participant_id: &'a str,
    pub author_key: &'a [u8; 32],
}

impl Idea {
    /// Whether `writer` wrote this post-it (an anonymous one by its tag).
    pub fn written_by(&self, writer: Writer<'_>) -> bool {
        if self.anonymous {
            !self.author_tag.is_empty()
                && self.author_tag == crate::ids::author_tag(writer.author_key, &self.id)
        } else {
            self.author_id == writer.participant_id
        }
    }

    /// The board this post-it is on (`round:…` or `phase:…`).
    pub fn board(&self) -> String {
        board_of(&self.phase_id, self.round_id.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub label: String,
}

/// Where a new post-it was posted, stamped by the server.
pub struct Stamp {
    pub author_id: String,
    /// `ids::author_tag` of the author and the new post-it, kept if it is anonymous.
    pub author_tag: String,
    pub author_name: String,
    pub anonymous: bool,
    pub now_ms: i64,
    pub phase_id: String,
    pub round_id: Option<String>,
    pub stage_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Board {
    pub ideas: Vec<Idea>,
    pub groups: Vec<Group>,
    /// Posting allowance per participant (tokens, last refill); not worth storing.
    #[serde(skip)]
    allowance: HashMap<String, (f64, f64)>,
    /// Anonymous post-its per participant: they store no author, so the per-participant cap
    /// counts them here. A count, not which ones.
    #[serde(default)]
    anonymous_posts: HashMap<String, usize>,
}

/// Trims, turns line breaks and tabs into spaces, drops every other control character, and
/// checks the length.
pub fn clean_text(raw: &str, max_chars: usize) -> Result<String, CommandError> {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Err(CommandError::BadRequest("the text is empty"));
    }
    if cleaned.chars().count() > max_chars {
        return Err(CommandError::BadRequest("the text is too long"));
    }
    Ok(cleaned.to_owned())
}

impl Board {
    pub fn idea(&self, id: &str) -> Option<&Idea> {
        self.ideas.iter().find(|i| i.id == id)
    }

    fn idea_mut(&mut self, id: &str) -> Result<&mut Idea, CommandError> {
        self.ideas
            .iter_mut()
            .find(|i| i.id == id)
            .ok_or(CommandError::NotFound("no such post-it"))
    }

    fn take_allowance(
        &mut self,
        author: &str,
        now_ms: f64,
        limits: &BoardLimits,
    ) -> Result<(), CommandError> {
        let burst = f64::from(limits.post_burst);
        let per_minute = f64::from(limits.posts_per_minute);
        let (tokens, last) = self
            .allowance
            .entry(author.to_owned())
            .or_insert((burst, now_ms));
        *tokens = (*tokens + (now_ms - *last).max(0.0) / 60_000.0 * per_minute).min(burst);
        *last = now_ms;
        if *tokens < 1.0 {
            return Err(CommandError::RateLimited(
                "you are posting very fast; wait a moment",
            ));
        }
        *tokens -= 1.0;
        Ok(())
    }

    /// Posts a post-it. The same `client_ref` from the same author posts once: the second call
    /// returns the first post-it's id and `false`.
    pub fn post(
        &mut self,
        id: String,
        text: &str,
        client_ref: &str,
        stamp: Stamp,
        limits: &BoardLimits,
    ) -> Result<(String, bool), CommandError> {
        if client_ref.is_empty() || client_ref.chars().count() > MAX_CLIENT_REF_CHARS {
            return Err(CommandError::BadRequest(
                "client_ref must be 1 to 64 characters",
            ));
        }
        // An anonymous post-it has no author: its retry is found by `client_ref` alone (a
        // random id from the writer).
        let retry_of = |i: &&Idea| {
            i.client_ref == client_ref
                && if stamp.anonymous {
                    i.anonymous && i.author_id.is_empty()
                } else {
                    i.author_id == stamp.author_id
                }
        };
        if let Some(existing) = self.ideas.iter().find(retry_of) {
            return Ok((existing.id.clone(), false));
        }
        let text = clean_text(text, limits.max_idea_chars)?;
        if self.ideas.len() >= limits.max_ideas {
            return Err(CommandError::Conflict("the board is full"));
        }
        let text_bytes: usize = self.ideas.iter().map(|idea| idea.text.len()).sum();
        if text_bytes + text.len() > limits.max_text_bytes {
            return Err(CommandError::Conflict("the board is full"));
        }
        let own = self
            .ideas
            .iter()
            .filter(|idea| idea.author_id == stamp.author_id)
            .count()
            + self
                .anonymous_posts
                .get(&stamp.author_id)
                .copied()
                .unwrap_or(0);
        if own >= limits.max_ideas_per_author {
            return Err(CommandError::Conflict(
                "you have posted as many post-its as one person may",
            ));
        }
        self.take_allowance(&stamp.author_id, stamp.now_ms as f64, limits)?;
        let (author_id, author_name) = if stamp.anonymous {
            *self.anonymous_posts.entry(stamp.author_id).or_default() += 1;
            (String::new(), String::new())
        } else {
            (stamp.author_id, stamp.author_name)
        };
        self.ideas.push(Idea {
            id: id.clone(),
            text,
            author_id,
            author_name,
            anonymous: stamp.anonymous,
            client_ref: client_ref.to_owned(),
            created_at: stamp.now_ms,
            phase_id: stamp.phase_id,
            round_id: stamp.round_id,
            stage_id: stamp.stage_id,
            voters: BTreeSet::new(),
            group_id: None,
            hidden: false,
            author_tag: if stamp.anonymous {
                stamp.author_tag
            } else {
                String::new()
            },
        });
        Ok((id, true))
    }

    pub fn votes_of(&self, voter: &str) -> Vec<String> {
        self.ideas
            .iter()
            .filter(|i| i.voters.contains(voter))
            .map(|i| i.id.clone())
            .collect()
    }

    /// Votes for a post-it; `limit` is the voter's budget on that post-it's board.
    pub fn vote(&mut self, voter: &str, idea_id: &str, limit: u32) -> Result<(), CommandError> {
        let board = self
            .idea(idea_id)
            .ok_or(CommandError::NotFound("no such post-it"))?
            .board();
        let used = self
            .ideas
            .iter()
            .filter(|i| i.voters.contains(voter) && i.board() == board)
            .count();
        let idea = self.idea_mut(idea_id)?;
        if idea.hidden {
            return Err(CommandError::NotFound("no such post-it"));
        }
        if idea.voters.contains(voter) {
            return Err(CommandError::Conflict("you already voted for this post-it"));
        }
        if used >= limit as usize {
            return Err(CommandError::Conflict("you have used all your votes"));
        }
        idea.voters.insert(voter.to_owned());
        Ok(())
    }

    pub fn unvote(&mut self, voter: &str, idea_id: &str) -> Result<(), CommandError> {
        if !self.idea_mut(idea_id)?.voters.remove(voter) {
            return Err(CommandError::Conflict("you did not vote for this post-it"));
        }
        Ok(())
    }

    /// Takes a post-it off the board for good, with its votes; `steering`: a facilitator,
    /// who may delete anyone's. Returns whether a group emptied (and went).
    pub fn delete(
        &mut self,
        idea_id: &str,
        writer: Writer<'_>,
        steering: bool,
    ) -> Result<bool, CommandError> {
        let index = self
            .ideas
            .iter()
            .position(|i| i.id == idea_id)
            .ok_or(CommandError::NotFound("no such post-it"))?;
        let own = self.ideas[index].written_by(writer);
        if !own && !steering {
            return Err(CommandError::Forbidden(
                "only its author or a facilitator can delete a post-it",
            ));
        }
        let idea = self.ideas.remove(index);
        // The author's own anonymous post-it gives its place under the per-person cap back
        // (a facilitator's deletion cannot say whose it was).
        if idea.anonymous && own {
            if let Some(count) = self.anonymous_posts.get_mut(writer.participant_id) {
                *count = count.saturating_sub(1);
            }
        }
        Ok(idea.group_id.is_some() && self.drop_empty_groups())
    }

    /// New text for one's own post-it, within the same limits as posting.
    pub fn edit(
        &mut self,
        idea_id: &str,
        text: &str,
        writer: Writer<'_>,
        limits: &BoardLimits,
    ) -> Result<(), CommandError> {
        let text = clean_text(text, limits.max_idea_chars)?;
        let text_bytes: usize = self.ideas.iter().map(|idea| idea.text.len()).sum();
        let idea = self.idea_mut(idea_id)?;
        if !idea.written_by(writer) {
            return Err(CommandError::Forbidden(
                "only its author can change a post-it",
            ));
        }
        if text_bytes - idea.text.len() + text.len() > limits.max_text_bytes {
            return Err(CommandError::Conflict("the board is full"));
        }
        idea.text = text;
        Ok(())
    }

    /// Removes groups no post-it is in; returns whether any went.
    fn drop_empty_groups(&mut self) -> bool {
        let used: BTreeSet<&str> = self
            .ideas
            .iter()
            .filter_map(|i| i.group_id.as_deref())
            .collect();
        let before = self.groups.len();
        let groups = std::mem::take(&mut self.groups);
        self.groups = groups
            .into_iter()
            .filter(|g| used.contains(g.id.as_str()))
            .collect();
        self.groups.len() != before
    }

    /// The ids of the post-its `writer` wrote.
    pub fn ideas_by(&self, writer: Writer<'_>) -> Vec<String> {
        self.ideas
            .iter()
            .filter(|i| i.written_by(writer))
            .map(|i| i.id.clone())
            .collect()
    }

    pub fn hide(&mut self, idea_id: &str, hidden: bool) -> Result<(), CommandError> {
        self.idea_mut(idea_id)?.hidden = hidden;
        Ok(())
    }

    /// Puts post-its into a group (existing or new); returns the group's id.
    pub fn group(
        &mut self,
        idea_ids: &[String],
        group_id: Option<&str>,
        label: Option<&str>,
        new_id: String,
        limits: &BoardLimits,
    ) -> Result<String, CommandError> {
        if idea_ids.is_empty() || idea_ids.len() > self.ideas.len() {
            return Err(CommandError::BadRequest("name the post-its to group"));
        }
        if let Some(missing) = idea_ids
            .iter()
            .find(|id| self.idea(id).is_none_or(|i| i.hidden))
        {
            let _ = missing;
            return Err(CommandError::NotFound("no such post-it"));
        }
        // A group belongs to one board: its label would otherwise show up in a round where
        // half its post-its are not.
        let board = self.idea(&idea_ids[0]).map(Idea::board);
        let same_board = |idea: &Idea| Some(idea.board()) == board;
        if !idea_ids
            .iter()
            .all(|id| self.idea(id).is_some_and(same_board))
        {
            return Err(CommandError::BadRequest(
                "post-its of different rounds or phases cannot share a group",
            ));
        }
        let group_id = match (group_id, label) {
            (Some(id), _) => {
                if !self.groups.iter().any(|g| g.id == id) {
                    return Err(CommandError::NotFound("no such group"));
                }
                if self
                    .ideas
                    .iter()
                    .any(|i| i.group_id.as_deref() == Some(id) && !same_board(i))
                {
                    return Err(CommandError::BadRequest(
                        "post-its of different rounds or phases cannot share a group",
                    ));
                }
                id.to_owned()
            }
            (None, Some(label)) => {
                let label = clean_text(label, MAX_LABEL_CHARS)?;
                if self.groups.len() >= limits.max_groups {
                    return Err(CommandError::Conflict("there are too many groups"));
                }
                self.groups.push(Group {
                    id: new_id.clone(),
                    label,
                });
                new_id
            }
            (None, None) => {
                return Err(CommandError::BadRequest(
                    "give a group or a label for a new one",
                ));
            }
        };
        for id in idea_ids {
            self.idea_mut(id)?.group_id = Some(group_id.clone());
        }
        Ok(group_id)
    }

    pub fn ungroup(&mut self, idea_id: &str) -> Result<(), CommandError> {
        self.idea_mut(idea_id)?.group_id = None;
        self.drop_empty_groups();
        Ok(())
    }

    pub fn rename_group(&mut self, group_id: &str, label: &str) -> Result<(), CommandError> {
        let label = clean_text(label, MAX_LABEL_CHARS)?;
        let group = self
            .groups
            .iter_mut()
            .find(|g| g.id == group_id)
            .ok_or(CommandError::NotFound("no such group"))?;
        group.label = label;
        Ok(())
    }

    pub fn group_views(&self) -> Vec<GroupView> {
        self.groups
            .iter()
            .map(|g| GroupView {
                id: g.id.clone(),
                label: g.label.clone(),
            })
            .collect()
    }
}

/// A post-it as an audience sees it: facilitators and its author see hidden ones (marked),
/// others do not; nobody sees the author of an anonymous one (its writer knows it by
/// `client_ref`, or by `my_ideas`).
pub fn idea_view(idea: &Idea, sees_hidden: bool) -> Option<IdeaView> {
    if idea.hidden && !sees_hidden {
        return None;
    }
    Some(IdeaView {
        id: idea.id.clone(),
        text: idea.text.clone(),
        author_id: (!idea.anonymous).then(|| idea.author_id.clone()),
        author_name: (!idea.anonymous).then(|| idea.author_name.clone()),
        client_ref: idea.client_ref.clone(),
        created_at: idea.created_at,
        phase_id: idea.phase_id.clone(),
        round_id: idea.round_id.clone(),
        stage_id: idea.stage_id.clone(),
        board: idea.board(),
        votes: idea.voters.len() as u32,
        group_id: idea.group_id.clone(),
        hidden: idea.hidden,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(author: &str, now_ms: i64) -> Stamp {
        Stamp {
            author_id: author.into(),
            author_tag: String::new(),
            author_name: author.to_uppercase(),
            anonymous: false,
            now_ms,
            phase_id: "kansen".into(),
            round_id: None,
            stage_id: None,
        }
    }

    #[test]
    fn text_is_trimmed_cleaned_and_bounded() {
        assert_eq!(
            clean_text("  hallo\nwereld\u{7}  ", 500).unwrap(),
            "hallo wereld"
        );
        assert!(clean_text(" \u{0} ", 500).is_err());
        assert!(clean_text(&"x".repeat(501), 500).is_err());
        assert_eq!(
            clean_text(&"é".repeat(500), 500).unwrap().chars().count(),
            500
        );
    }

    #[test]
    fn the_same_client_ref_posts_once() {
        let mut board = Board::default();
        let (id, new) = board
            .post(
                "i1".into(),
                "idee",
                "ref-1",
                stamp("p1", 0),
                &BoardLimits::default(),
            )
            .unwrap();
        assert!(new);
        let (again, new) = board
            .post(
                "i2".into(),
                "idee",
                "ref-1",
                stamp("p1", 1),
                &BoardLimits::default(),
            )
            .unwrap();
        assert_eq!((again.as_str(), new), (id.as_str(), false));
        // another author may use the same ref
        assert!(
            board
                .post(
                    "i3".into(),
                    "idee",
                    "ref-1",
                    stamp("p2", 2),
                    &BoardLimits::default()
                )
                .unwrap()
                .1
        );
    }

    #[test]
    fn posting_is_rate_limited_per_participant() {
        let mut board = Board::default();
        for n in 0..10 {
            board
                .post(
                    format!("i{n}"),
                    "x",
                    &format!("r{n}"),
                    stamp("p1", 0),
                    &BoardLimits::default(),
                )
                .unwrap();
        }
        assert!(matches!(
            board.post(
                "i10".into(),
                "x",
                "r10",
                stamp("p1", 0),
                &BoardLimits::default()
            ),
            Err(CommandError::RateLimited(_))
        ));
        assert!(
            board
                .post(
                    "j".into(),
                    "x",
                    "r",
                    stamp("p2", 0),
                    &BoardLimits::default()
                )
                .is_ok(),
            "others are unaffected"
        );
        assert!(
            board
                .post(
                    "i11".into(),
                    "x",
                    "r11",
                    stamp("p1", 3_000),
                    &BoardLimits::default()
                )
                .is_ok(),
            "refills"
        );
    }

    #[test]
    fn votes_respect_the_limit_and_hidden_ideas_vanish_for_participants() {
        let mut board = Board::default();
        for n in 0..3 {
            board
                .post(
                    format!("i{n}"),
                    "x",
                    &format!("r{n}"),
                    stamp("p1", 0),
                    &BoardLimits::default(),
                )
                .unwrap();
        }
        board.vote("p2", "i0", 2).unwrap();
        assert!(board.vote("p2", "i0", 2).is_err(), "once per post-it");
        board.vote("p2", "i1", 2).unwrap();
        assert!(board.vote("p2", "i2", 2).is_err(), "limit reached");
        board.unvote("p2", "i0").unwrap();
        board.vote("p2", "i2", 2).unwrap();
        assert_eq!(board.votes_of("p2"), vec!["i1", "i2"]);
        board.hide("i1", true).unwrap();
        assert!(idea_view(board.idea("i1").unwrap(), false).is_none());
        assert!(idea_view(board.idea("i1").unwrap(), true).unwrap().hidden);
    }

    #[test]
    fn each_board_has_its_own_vote_budget_and_groups() {
        let mut board = Board::default();
        let limits = BoardLimits::default();
        for (n, round) in [(0, "r1"), (1, "r1"), (2, "r2"), (3, "r2")] {
            let mut s = stamp("p1", 0);
            s.round_id = Some(round.into());
            board
                .post(format!("i{n}"), "x", &format!("r{n}"), s, &limits)
                .unwrap();
        }
        board.vote("p2", "i0", 1).unwrap();
        assert!(
            board.vote("p2", "i1", 1).is_err(),
            "round 1's budget is spent"
        );
        board.vote("p2", "i2", 1).unwrap();
        assert_eq!(board.idea("i2").unwrap().board(), "round:r2");
        assert!(matches!(
            board.group(
                &["i1".into(), "i2".into()],
                None,
                Some("x"),
                "g".into(),
                &limits
            ),
            Err(CommandError::BadRequest(_))
        ));
        board
            .group(&["i0".into()], None, Some("x"), "g1".into(), &limits)
            .unwrap();
        assert!(
            board
                .group(&["i3".into()], Some("g1"), None, "u".into(), &limits)
                .is_err(),
            "a round 1 group takes no round 2 post-its"
        );
    }

    #[test]
    fn grouping_without_dragging() {
        let mut board = Board::default();
        for n in 0..3 {
            board
                .post(
                    format!("i{n}"),
                    "x",
                    &format!("r{n}"),
                    stamp("p1", 0),
                    &BoardLimits::default(),
                )
                .unwrap();
        }
        let g = board
            .group(
                &["i0".into(), "i1".into()],
                None,
                Some("Samenwerken"),
                "g1".into(),
                &BoardLimits::default(),
            )
            .unwrap();
        board
            .group(
                &["i2".into()],
                Some(&g),
                None,
                "unused".into(),
                &BoardLimits::default(),
            )
            .unwrap();
        assert!(
            board
                .ideas
                .iter()
                .all(|i| i.group_id.as_deref() == Some("g1"))
        );
        board.rename_group("g1", "Samen sterker").unwrap();
        for id in ["i0", "i1", "i2"] {
            board.ungroup(id).unwrap();
        }
        assert!(board.groups.is_empty(), "an empty group disappears");
    }

    #[test]
    fn anonymous_post_its_hide_their_author_from_everyone() {
        let mut board = Board::default();
        let mut s = stamp("p1", 0);
        s.anonymous = true;
        board
            .post("i0".into(), "geheim", "r0", s, &BoardLimits::default())
            .unwrap();
        for steering in [false, true] {
            let view = idea_view(board.idea("i0").unwrap(), steering).unwrap();
            assert_eq!((view.author_id, view.author_name), (None, None));
        }
    }

    #[test]
    fn authors_delete_and_edit_their_own_post_its_anonymous_ones_too() {
        let limits = BoardLimits {
            max_ideas_per_author: 2,
            ..BoardLimits::default()
        };
        let (key1, key2) = ([1; 32], [2; 32]);
        let p1 = Writer {
            participant_id: "p1",
            author_key: &key1,
        };
        let p2 = Writer {
            participant_id: "p2",
            author_key: &key2,
        };
        let mut board = Board::default();
        let mut anon = stamp("p1", 0);
        anon.anonymous = true;
        anon.author_tag = crate::ids::author_tag(&key1, "a1");
        board
            .post("a1".into(), "geheim", "r1", anon, &limits)
            .unwrap();
        board
            .post("n1".into(), "open", "r2", stamp("p1", 0), &limits)
            .unwrap();
        let stored = serde_json::to_string(&board.ideas[0]).unwrap();
        assert!(!stored.contains("p1"), "{stored}");
        assert!(board.idea("a1").unwrap().written_by(p1));
        assert!(!board.idea("a1").unwrap().written_by(p2));
        assert_eq!(board.ideas_by(p1), ["a1", "n1"]);
        assert!(board.ideas_by(p2).is_empty());

        assert!(matches!(
            board.edit("a1", "anders", p2, &limits),
            Err(CommandError::Forbidden(_))
        ));
        board.edit("a1", "  anders ", p1, &limits).unwrap();
        assert_eq!(board.idea("a1").unwrap().text, "anders");
        assert!(matches!(
            board.delete("n1", p2, false),
            Err(CommandError::Forbidden(_))
        ));
        board.vote("p2", "a1", 3).unwrap();
        board.delete("a1", p1, false).unwrap();
        assert!(board.idea("a1").is_none());
        assert!(board.votes_of("p2").is_empty(), "its votes went with it");
        // The author's anonymous post-it gave its place under the cap back.
        board
            .post("n2".into(), "weer", "r3", stamp("p1", 1), &limits)
            .unwrap();
        // A facilitator deletes anyone's.
        board.delete("n1", p2, true).unwrap();
        assert_eq!(
            board.delete("n1", p1, true),
            Err(CommandError::NotFound("no such post-it"))
        );
    }

    /// Before: an anonymous post-it kept its author in the store (and in exports of the
    /// state), so it was anonymous only on screen. Now nothing of the author is stored with
    /// it; the per-participant cap and retries still hold.
    #[test]
    fn anonymous_post_its_store_no_author() {
        let mut board = Board::default();
        let limits = BoardLimits {
            max_ideas_per_author: 2,
            ..BoardLimits::default()
        };
        let anonymous = |n| {
            let mut s = stamp("p1", n);
            s.anonymous = true;
            s
        };
        board
            .post("i0".into(), "geheim", "r0", anonymous(0), &limits)
            .unwrap();
        let stored = serde_json::to_string(&board.ideas).unwrap();
        assert!(!stored.contains("p1") && !stored.contains("P1"), "{stored}");
        // A retry posts once.
        assert_eq!(
            board.post("i9".into(), "geheim", "r0", anonymous(1), &limits),
            Ok(("i0".into(), false))
        );
        board
            .post("i1".into(), "nog een", "r1", stamp("p1", 2), &limits)
            .unwrap();
        assert!(matches!(
            board.post("i2".into(), "te veel", "r2", anonymous(3), &limits),
            Err(CommandError::Conflict(_))
        ));
    }
}
