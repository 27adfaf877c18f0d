//! The control channel: every command a client sends, handled in one place (the engine's
//! commands by the engine), and the replies to them.

use tracing::{debug, info};
use werkplaats_protocol::control::{
    CONTROL_VERSION, ClientEnvelope, Command, ErrorCode, Event, Role,
};
use werkplaats_protocol::template::Activity;

use super::SessionCore;
use super::frame::{Frame, Recipient};
use crate::engine::Actor;
use crate::ids;
use crate::session::ConnId;
use crate::session::meta::clean_name;
use crate::session::{schema, topics};

impl SessionCore {
    /// A control command: every command is handled here, the engine's ones by the engine;
    /// except `ping`, which the connection answers itself (`ws/decode.rs`, `ws/connection.rs`)
    /// so a clock probe never waits behind a batch's store write. One that reached the session
    /// anyway is refused by the engine as not its command.
    pub(crate) fn command(&mut self, conn: ConnId, envelope: ClientEnvelope) {
        let reply_to = envelope.id;
        let Some(state) = self.conns.get(&conn) else {
            return;
        };
        let joined = state.joined.clone();
        match &envelope.command {
            Command::Hello { version } => {
                if let Some(state) = self.conns.get_mut(&conn) {
                    state.control = true;
                }
                if *version != CONTROL_VERSION {
                    let message = format!("this server speaks control version {CONTROL_VERSION}");
                    self.reply(
                        conn,
                        reply_to,
                        Event::Error {
                            code: ErrorCode::UnsupportedVersion,
                            message,
                        },
                    );
                    return;
                }
                let now = self.now.ms;
                self.reply(
                    conn,
                    reply_to,
                    Event::Welcome {
                        version: CONTROL_VERSION,
                        session_id: self.id.to_string(),
                        role: joined.role,
                        participant_id: joined.participant_id.clone(),
                        name: joined.name.clone(),
                        server_time: now,
                    },
                );
                let session = self.session_view(&joined);
                self.reply(
                    conn,
                    None,
                    Event::Session {
                        session: Box::new(session),
                    },
                );
                if joined.role.steers() {
                    let locked = self.meta.join_locked;
                    self.reply(conn, None, Event::JoinLocked { locked });
                }
            }
            Command::AddCoFacilitator { name } => {
                if joined.role != Role::Facilitator {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Forbidden,
                        "only the facilitator can add co-facilitators",
                    );
                }
                let limits = &self.ctx.config.session;
                let max_credentials = limits.max_participants as usize;
                let Some(name) = clean_name(name, limits.max_name_chars as usize) else {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::BadRequest,
                        "a name is required",
                    );
                };
                if self.meta.credentials.len() >= max_credentials {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Conflict,
                        "the session is full",
                    );
                }
                let now = self.now.ms;
                let (credential, token) =
                    self.meta
                        .add_credential(Role::CoFacilitator, name, now as i64);
                self.meta_dirty = true;
                info!(participant = %credential.participant_id, "co-facilitator added");
                let link = format!("/s/{}#token={token}", self.id);
                self.reply(
                    conn,
                    reply_to,
                    Event::CoFacilitatorAdded {
                        participant_id: credential.participant_id,
                        token,
                        link,
                    },
                );
                self.broadcast_participants();
            }
            Command::RemoveParticipant { participant_id } => {
                if joined.role != Role::Facilitator {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Forbidden,
                        "only the facilitator can remove someone",
                    );
                }
                match self.remove_participant(participant_id) {
                    Ok(()) => self.reply(conn, reply_to, Event::Ack),
                    Err(message) => {
                        self.command_failed(conn, reply_to, ErrorCode::NotFound, message)
                    }
                }
            }
            Command::SetJoinLocked { locked } => {
                if !joined.role.steers() {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Forbidden,
                        "only facilitators can lock the session",
                    );
                }
                self.reply(conn, reply_to, Event::Ack);
                self.set_join_locked(*locked);
            }
            Command::RotateJoinCode => {
                // Who may lock the door may change its key.
                if !joined.role.steers() {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Forbidden,
                        "only facilitators can change the join code",
                    );
                }
                self.request_join_code_rotation(conn, reply_to);
            }
            Command::AddFormat { activity_id } => {
                if !joined.role.may_edit_document() {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Forbidden,
                        "this screen is read-only",
                    );
                }
                let Some((_, Activity::ConnectionFormat(format))) =
                    self.engine.template.activity(activity_id)
                else {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::NotFound,
                        "no such connection format",
                    );
                };
                if !format.repeatable && schema::format_count(self.doc.doc(), activity_id) > 0 {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Conflict,
                        "this format can be filled in once",
                    );
                }
                if schema::format_count(self.doc.doc(), activity_id) >= 20 {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Conflict,
                        "there are enough formats",
                    );
                }
                let format = format.clone();
                let format_id = ids::participant_id();
                let update =
                    schema::add_format(self.doc.doc(), &format, format_id.clone(), self.now.ms);
                self.server_update(update);
                self.reply(conn, reply_to, Event::FormatAdded { format_id });
            }
            Command::CarouselTopics { activity_id } => {
                if !joined.role.steers() {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Forbidden,
                        "only facilitators add rounds",
                    );
                }
                let carousel = self.engine.template.activities().find_map(|a| match a {
                    Activity::BrainstormCarousel(c)
                        if activity_id.as_deref().is_none_or(|id| id == c.id) =>
                    {
                        Some(c)
                    }
                    _ => None,
                });
                let Some(carousel) = carousel else {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::NotFound,
                        "this workshop has no such carousel",
                    );
                };
                let topics = topics::suggestions(self.doc.doc(), &self.engine.template, carousel);
                self.reply(conn, reply_to, Event::CarouselTopics { topics });
            }
            Command::RemoveFormat { format_id } => {
                if !joined.role.steers() {
                    return self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Forbidden,
                        "only facilitators can remove a format",
                    );
                }
                match schema::remove_format(self.doc.doc(), format_id) {
                    Ok(update) => {
                        info!(conn, "connection format removed");
                        self.server_update(update);
                        self.reply(conn, reply_to, Event::Ack);
                    }
                    Err(schema::RemoveFormatError::NotFound) => {
                        self.command_failed(conn, reply_to, ErrorCode::NotFound, "no such format")
                    }
                    Err(schema::RemoveFormatError::Last) => self.command_failed(
                        conn,
                        reply_to,
                        ErrorCode::Conflict,
                        "the last format of an activity stays; clear its fields instead",
                    ),
                }
            }
            command => {
                let now = self.now.ms;
                let actor = Actor {
                    participant_id: &joined.participant_id,
                    name: &joined.name,
                    role: joined.role,
                    author_key: &joined.author_key,
                };
                let meta = &self.meta;
                let name_of = |id: &str| {
                    meta.credential(id)
                        .filter(|c| c.role != Role::Display)
                        .map(|c| c.name.clone())
                };
                let mut new_id = ids::participant_id;
                match self
                    .engine
                    .apply(actor, command, now, &mut new_id, &name_of)
                {
                    Ok(changes) => {
                        debug!(conn, command = ?std::mem::discriminant(command), "command carried out");
                        self.reply(conn, reply_to, Event::Ack);
                        self.publish(&changes);
                    }
                    Err(err) => {
                        debug!(conn, %err, "command refused");
                        crate::metrics::Metrics::inc(&self.ctx.metrics.rejected_inputs);
                        self.reply(
                            conn,
                            reply_to,
                            Event::Error {
                                code: err.code(),
                                message: err.to_string(),
                            },
                        );
                    }
                }
            }
        }
    }

    fn command_failed(
        &mut self,
        conn: ConnId,
        reply_to: Option<u64>,
        code: ErrorCode,
        message: &str,
    ) {
        crate::metrics::Metrics::inc(&self.ctx.metrics.rejected_inputs);
        self.reply(
            conn,
            reply_to,
            Event::Error {
                code,
                message: message.to_owned(),
            },
        );
    }

    pub(crate) fn reply(&mut self, conn: ConnId, reply_to: Option<u64>, event: Event) {
        self.outbox
            .push((Recipient::One(conn), Frame::control(reply_to, event)));
    }
}
