//! The control channel inside the session task: engine commands, and the events that tell
//! each audience what changed.
//!
//! Each event is encoded once per audience: facilitators (who also see hidden post-its),
//! everyone else, or one participant (their own votes).

use tracing::{debug, info};
use werkplaats_protocol::control::{
    CONTROL_VERSION, ClientEnvelope, Command, ErrorCode, Event, Role,
};
use werkplaats_protocol::template::Activity;
use werkplaats_protocol::workshop::{ParticipantView, SessionView};

use super::{ConnId, Frame, Recipient, SessionTask};
use crate::engine::board::{Idea, Writer, idea_view};
use crate::engine::{Actor, Changes};
use crate::ids;
use crate::session::Joined;
use crate::session::meta::clean_name;
use crate::session::{schema, topics};

pub(super) fn control_frame(reply_to: Option<u64>, event: Event) -> Frame {
    Frame::control(reply_to, event)
}

impl SessionTask {
    pub(super) fn control(&mut self, conn: ConnId, envelope: ClientEnvelope) {
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
                        session_id: self.handle.id.to_string(),
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
            Command::Ping { client_time } => {
                let server_time = self.now.ms;
                self.reply(
                    conn,
                    reply_to,
                    Event::Pong {
                        client_time: *client_time,
                        server_time,
                    },
                );
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
                let link = format!("/s/{}#token={token}", self.handle.id);
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

    pub(super) fn reply(&mut self, conn: ConnId, reply_to: Option<u64>, event: Event) {
        self.outbox
            .push((Recipient::One(conn), control_frame(reply_to, event)));
    }

    /// Sends what changed to everyone who should see it, and marks the state for saving.
    pub(super) fn publish(&mut self, changes: &Changes) {
        if !changes.any() {
            return;
        }
        self.state_dirty = true;
        let now = self.now.ms;
        if changes.phase {
            let phase = self.engine.phase_view();
            self.outbox
                .push((Recipient::All, control_frame(None, Event::Phase { phase })));
        }
        if changes.settings {
            let settings = self.engine.state.settings.clone();
            self.outbox.push((
                Recipient::All,
                control_frame(None, Event::Settings { settings }),
            ));
        }
        if changes.carousel {
            let meta = &self.meta;
            let carousel = self.engine.state.carousel.as_ref().map(|c| {
                c.view(now, |id| {
                    meta.credential(id)
                        .map(|c| c.name.clone())
                        .unwrap_or_default()
                })
            });
            self.outbox.push((
                Recipient::All,
                control_frame(None, Event::Carousel { carousel }),
            ));
        }
        if changes.visualisation {
            let visualisation = self
                .engine
                .state
                .visualisation
                .as_ref()
                .map(|v| v.view(now));
            self.outbox.push((
                Recipient::All,
                control_frame(None, Event::Visualisation { visualisation }),
            ));
        }
        if changes.board {
            let board = self.engine.current_board();
            self.outbox
                .push((Recipient::All, control_frame(None, Event::Board { board })));
        }
        for idea_id in &changes.ideas {
            let Some(idea) = self.engine.state.board.idea(idea_id) else {
                continue;
            };
            let steering =
                idea_view(idea, true).map(|idea| control_frame(None, Event::Idea { idea }));
            let others = match idea_view(idea, false) {
                Some(idea) => control_frame(None, Event::Idea { idea }),
                None => control_frame(
                    None,
                    Event::IdeaRemoved {
                        id: idea.id.clone(),
                    },
                ),
            };
            if let Some(frame) = steering {
                self.outbox.push((Recipient::Steering, frame.clone()));
                // A hidden post-it stays on its author's screen, marked hidden, rather than
                // vanishing without a word (after the `idea_removed` the others get).
                if idea.hidden {
                    self.outbox.push((Recipient::NotSteering, others));
                    for author in self.authors_of(idea) {
                        self.outbox.push((author, frame.clone()));
                    }
                    continue;
                }
            }
            self.outbox.push((Recipient::NotSteering, others));
        }
        for id in &changes.removed {
            self.outbox.push((
                Recipient::All,
                control_frame(None, Event::IdeaRemoved { id: id.clone() }),
            ));
        }
        if changes.groups {
            let groups = self.engine.state.board.group_views();
            self.outbox.push((
                Recipient::All,
                control_frame(None, Event::Groups { groups }),
            ));
        }
        if let Some((writer, activity_id)) = &changes.note_of {
            let text = self
                .engine
                .state
                .personal_notes
                .get(writer)
                .and_then(|notes| notes.get(activity_id))
                .cloned()
                .unwrap_or_default();
            self.outbox.push((
                Recipient::Participant(writer.clone()),
                control_frame(
                    None,
                    Event::PersonalNote {
                        activity_id: activity_id.clone(),
                        text,
                    },
                ),
            ));
        }
        if changes.ready {
            let ready = self.engine.state.ready.view();
            self.outbox
                .push((Recipient::All, control_frame(None, Event::Ready { ready })));
        }
        if let Some(voter) = &changes.votes_of {
            let idea_ids = self.engine.state.board.votes_of(voter);
            self.outbox.push((
                Recipient::Participant(voter.clone()),
                control_frame(None, Event::MyVotes { idea_ids }),
            ));
        }
    }

    /// Where a post-it's author listens: their person, or for an anonymous post-it each
    /// connection whose key recognises it (the server stores nobody's id with those).
    fn authors_of(&self, idea: &Idea) -> Vec<Recipient> {
        if !idea.anonymous {
            return vec![Recipient::Participant(idea.author_id.clone())];
        }
        self.conns
            .iter()
            .filter(|(_, c)| {
                !c.joined.role.steers()
                    && idea.written_by(Writer {
                        participant_id: &c.joined.participant_id,
                        author_key: &c.joined.author_key,
                    })
            })
            .map(|(id, _)| Recipient::One(*id))
            .collect()
    }

    pub(super) fn participant_views(&self) -> Vec<ParticipantView> {
        self.meta
            .credentials
            .iter()
            .filter(|c| c.role != Role::Display)
            .map(|c| ParticipantView {
                id: c.participant_id.clone(),
                name: c.name.clone(),
                role: c.role,
                online: self
                    .conns
                    .values()
                    .any(|conn| conn.joined.participant_id == c.participant_id),
            })
            .collect()
    }

    /// Who is here changed: everyone gets the list once, when the batch ends. Once per
    /// change, a storm of 500 joins sent the whole list (~40 KB) to everyone 500 times (5 GB).
    pub(super) fn broadcast_participants(&mut self) {
        self.participants_changed = true;
    }

    /// Adds the participant list to the open batch if it changed.
    pub(super) fn push_participants_if_changed(&mut self) {
        if std::mem::take(&mut self.participants_changed) {
            let participants = self.participant_views();
            self.outbox.push((
                Recipient::All,
                control_frame(None, Event::Participants { participants }),
            ));
        }
    }

    /// Everything a client of this role needs after `hello`.
    fn session_view(&self, joined: &Joined) -> SessionView {
        let steering = joined.role.steers();
        let participant_id = &joined.participant_id;
        let writer = Writer {
            participant_id,
            author_key: &joined.author_key,
        };
        let now = self.now.ms;
        let meta = &self.meta;
        let state = &self.engine.state;
        SessionView {
            title: self.meta.title.clone(),
            join_code: self.join_code.clone(),
            template: (*self.engine.template).clone(),
            phase: self.engine.phase_view(),
            settings: state.settings.clone(),
            participants: self.participant_views(),
            carousel: state.carousel.as_ref().map(|c| {
                c.view(now, |id| {
                    meta.credential(id)
                        .map(|c| c.name.clone())
                        .unwrap_or_default()
                })
            }),
            visualisation: state.visualisation.as_ref().map(|v| v.view(now)),
            ideas: state
                .board
                .ideas
                .iter()
                .filter_map(|i| idea_view(i, steering || i.written_by(writer)))
                .collect(),
            groups: state.board.group_views(),
            my_votes: state.board.votes_of(participant_id),
            my_ideas: state.board.ideas_by(writer),
            my_notes: state
                .personal_notes
                .get(participant_id)
                .cloned()
                .unwrap_or_default(),
            board: self.engine.current_board(),
            ready: state.ready.view(),
        }
    }
}
