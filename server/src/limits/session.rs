//! Limits on what participants put into a session: the board's size, per person and in bytes.

use clap::Args;

use crate::engine::BoardLimits;

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
        }
    }
}
