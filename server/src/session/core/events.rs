//! The events that tell each audience what changed: encoded once per audience (facilitators,
//! who also see hidden post-its; everyone else; one participant, for their own votes).

use werkplaats_protocol::control::{Event, Role};
use werkplaats_protocol::workshop::{ParticipantView, SessionView};

use super::SessionCore;
use super::frame::{Frame, Recipient};
use crate::engine::Changes;
use crate::engine::board::{Idea, Writer, idea_view};
use crate::session::Joined;

impl SessionCore {
    /// Sends what changed to everyone who should see it, and marks the state for saving.
    pub(crate) fn publish(&mut self, changes: &Changes) {
        if !changes.any() {
            return;
        }
        self.state_dirty = true;
        let now = self.now.ms;
        if changes.phase {
            let phase = self.engine.phase_view();
            self.outbox
                .push((Recipient::All, Frame::control(None, Event::Phase { phase })));
        }
        if changes.settings {
            let settings = self.engine.state.settings.clone();
            self.outbox.push((
                Recipient::All,
                Frame::control(None, Event::Settings { settings }),
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
                Frame::control(None, Event::Carousel { carousel }),
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
                Frame::control(None, Event::Visualisation { visualisation }),
            ));
        }
        if changes.board {
            let board = self.engine.current_board();
            self.outbox
                .push((Recipient::All, Frame::control(None, Event::Board { board })));
        }
        for idea_id in &changes.ideas {
            let Some(idea) = self.engine.state.board.idea(idea_id) else {
                continue;
            };
            let steering =
                idea_view(idea, true).map(|idea| Frame::control(None, Event::Idea { idea }));
            let others = match idea_view(idea, false) {
                Some(idea) => Frame::control(None, Event::Idea { idea }),
                None => Frame::control(
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
                Frame::control(None, Event::IdeaRemoved { id: id.clone() }),
            ));
        }
        if changes.groups {
            let groups = self.engine.state.board.group_views();
            self.outbox.push((
                Recipient::All,
                Frame::control(None, Event::Groups { groups }),
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
                Frame::control(
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
                .push((Recipient::All, Frame::control(None, Event::Ready { ready })));
        }
        if let Some(voter) = &changes.votes_of {
            let idea_ids = self.engine.state.board.votes_of(voter);
            self.outbox.push((
                Recipient::Participant(voter.clone()),
                Frame::control(None, Event::MyVotes { idea_ids }),
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

    pub(crate) fn participant_views(&self) -> Vec<ParticipantView> {
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
    pub(crate) fn broadcast_participants(&mut self) {
        self.participants_changed = true;
    }

    /// Adds the participant list to the open batch if it changed.
    pub(crate) fn push_participants_if_changed(&mut self) {
        if std::mem::take(&mut self.participants_changed) {
            let participants = self.participant_views();
            self.outbox.push((
                Recipient::All,
                Frame::control(None, Event::Participants { participants }),
            ));
        }
    }

    /// Everything a client of this role needs after `hello`.
    pub(crate) fn session_view(&self, joined: &Joined) -> SessionView {
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
