//! Limits on what participants put into a session: who may be in it, the board's size (per
//! person, in bytes, in characters, in groups), the carousel's rounds, and each connection's
//! awareness.

use clap::Args;

use crate::engine::BoardLimits;
use crate::engine::board;
use crate::engine::ready::{self, ReadyLimits};
use crate::session::awareness::{self, AwarenessLimits};
use crate::session::meta;

#[derive(Debug, Clone, Args)]
pub struct SessionLimits {
    /// Most post-its on a session's board.
    #[arg(long, env = "WERKPLAATS_MAX_POST_ITS", default_value_t = 2_000,
          value_parser = clap::value_parser!(u32).range(1..=20_000))]
    pub max_post_its: u32,

    /// Most post-its one participant may have on the board.
    #[arg(long, env = "WERKPLAATS_MAX_POST_ITS_PER_PARTICIPANT", default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_post_its_per_participant: u32,

    /// Most characters in one post-it.
    #[arg(long, env = "WERKPLAATS_MAX_POST_IT_CHARS", default_value_t = board::MAX_IDEA_CHARS as u32,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_post_it_chars: u32,

    /// Post-its one participant may post at once before the rate below holds them back.
    #[arg(long, env = "WERKPLAATS_POST_IT_BURST", default_value_t = board::POST_BURST,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub post_it_burst: u32,

    /// Post-its one participant may post per minute after the burst; faster ones are refused
    /// with `rate_limited`.
    #[arg(long, env = "WERKPLAATS_POST_ITS_PER_MINUTE", default_value_t = board::POSTS_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub post_its_per_minute: u32,

    /// Times one participant may say "klaar" or take it back at once before the rate below
    /// holds them back.
    #[arg(long, env = "WERKPLAATS_READY_BURST", default_value_t = ready::READY_BURST,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub ready_burst: u32,

    /// Times one participant may say "klaar" or take it back per minute after the burst;
    /// faster ones are refused with `rate_limited`. Each one is stored and sent to everyone.
    #[arg(long, env = "WERKPLAATS_READY_PER_MINUTE", default_value_t = ready::READY_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub ready_per_minute: u32,

    /// Most groups on a session's board.
    #[arg(long, env = "WERKPLAATS_MAX_GROUPS", default_value_t = board::MAX_GROUPS as u32,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_groups: u32,

    /// Most rounds a carousel may have.
    #[arg(long, env = "WERKPLAATS_MAX_CAROUSEL_ROUNDS",
          default_value_t = crate::engine::carousel::MAX_ROUNDS as u32,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_carousel_rounds: u32,

    /// Most participants and links (the facilitator, the display, co-facilitators) one session
    /// holds; a join beyond is refused (503), as is another co-facilitator link.
    #[arg(long, env = "WERKPLAATS_MAX_PARTICIPANTS", default_value_t = meta::MAX_CREDENTIALS as u32,
          value_parser = clap::value_parser!(u32).range(3..=1_000_000))]
    pub max_participants: u32,

    /// Most characters in a name (a participant's, a co-facilitator's, the facilitator's);
    /// longer names are cut.
    #[arg(long, env = "WERKPLAATS_MAX_NAME_CHARS", default_value_t = meta::MAX_NAME_CHARS as u32,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_name_chars: u32,

    /// Awareness entries (Yjs client ids with a cursor or presence) one connection may hold;
    /// also the most one awareness message may carry (1008 beyond). A browser tab needs one.
    #[arg(long, env = "WERKPLAATS_MAX_AWARENESS_IDS",
          default_value_t = awareness::MAX_IDS_PER_CONNECTION as u32,
          value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub max_awareness_ids: u32,

    /// Largest awareness state (JSON) of one entry, in bytes; a larger one closes the
    /// connection with 1008. Each one is relayed to every connection of the session.
    #[arg(long, env = "WERKPLAATS_MAX_AWARENESS_STATE_BYTES",
          default_value_t = awareness::MAX_STATE_BYTES as u32,
          value_parser = clap::value_parser!(u32).range(64..=(1 << 20)))]
    pub max_awareness_state_bytes: u32,

    /// Most bytes of post-it text on a session's board (UTF-8).
    #[arg(long, env = "WERKPLAATS_MAX_BOARD_TEXT_BYTES", default_value_t = 512 * 1024,
          value_parser = clap::value_parser!(u32).range(1024..=(8 << 20)))]
    pub max_board_text_bytes: u32,

    /// Most participants `POST /api/join` adds to one session per minute (also the burst),
    /// whoever asks: a script with the join code fills a session no faster than this, which
    /// leaves the facilitator time to lock it.
    #[arg(long, env = "WERKPLAATS_SESSION_JOINS_PER_MINUTE", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub session_joins_per_minute: u32,

    /// Awareness updates (cursors, who is typing) one connection may send per second, with a
    /// burst of twice as many; beyond, it is closed with 4429. Each one is relayed to every
    /// connection of the session.
    #[arg(long, env = "WERKPLAATS_AWARENESS_PER_SECOND", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub awareness_per_second: u32,
}

impl SessionLimits {
    pub fn board(&self) -> BoardLimits {
        BoardLimits {
            max_ideas: self.max_post_its as usize,
            max_ideas_per_author: self.max_post_its_per_participant as usize,
            max_text_bytes: self.max_board_text_bytes as usize,
            max_idea_chars: self.max_post_it_chars as usize,
            max_groups: self.max_groups as usize,
            post_burst: self.post_it_burst,
            posts_per_minute: self.post_its_per_minute,
        }
    }

    pub fn ready(&self) -> ReadyLimits {
        ReadyLimits {
            burst: self.ready_burst,
            per_minute: self.ready_per_minute,
        }
    }

    pub fn awareness(&self) -> AwarenessLimits {
        AwarenessLimits {
            max_ids: self.max_awareness_ids as usize,
            max_state_bytes: self.max_awareness_state_bytes as usize,
        }
    }
}
