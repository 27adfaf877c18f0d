//! Gathers [`Results`] from a session's engine state and document.

use werkplaats_protocol::template::{Activity, BlockInput, Language};
use werkplaats_protocol::workshop::{self, schema};
use yrs::{Any, Doc, Map, Out, Transact};

use super::*;
use crate::engine::{Engine, iso_date};
use crate::session::meta::SessionMeta;
use crate::session::schema::{format_activity, rows, text_of};

pub fn collect(
    engine: &Engine,
    meta: &SessionMeta,
    doc: &Doc,
    lang: Language,
    now_ms: f64,
) -> Results {
    let template = &engine.template;
    let name_of = |id: &str| {
        meta.credentials
            .iter()
            .find(|c| c.participant_id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let formats_root = doc.get_or_insert_map(schema::FORMATS);
    let lists_root = doc.get_or_insert_map(schema::LISTS);
    let guides_root = doc.get_or_insert_map(schema::GUIDES);
    let plans_root = doc.get_or_insert_map(schema::PLANS);
    let notes_root = doc.get_or_insert_map(schema::NOTES);
    let txn = doc.transact();

    let mut results = Results {
        title: meta.title.clone(),
        workshop: template.title.get(lang).to_owned(),
        exported_at: iso_date(now_ms),
        current_phase: template.phases[engine.phase_view().index]
            .title
            .get(lang)
            .to_owned(),
        participants: meta
            .credentials
            .iter()
            .filter(|c| c.role != werkplaats_protocol::control::Role::Display)
            .map(|c| c.name.clone())
            .collect(),
        phases: template
            .phases
            .iter()
            .map(|p| PhaseResult {
                title: p.title.get(lang).to_owned(),
                result: p.result.get(lang).to_owned(),
            })
            .collect(),
        formats: Vec::new(),
        lists: Vec::new(),
        boards: Vec::new(),
        carousel: Vec::new(),
        actions: Vec::new(),
        conversation_guides: Vec::new(),
        communication_plans: Vec::new(),
        notes: Vec::new(),
    };

    for activity in template.activities() {
        match activity {
            Activity::ConnectionFormat(format) => {
                let mut instances: Vec<(f64, yrs::MapRef)> = formats_root
                    .iter(&txn)
                    .filter(|(_, v)| {
                        format_activity(&txn, v).as_deref() == Some(format.id.as_str())
                    })
                    .filter_map(|(_, v)| match v {
                        Out::YMap(map) => {
                            let created = match map.get(&txn, schema::FORMAT_CREATED) {
                                Some(Out::Any(Any::Number(n))) => n.as_f64().unwrap_or(0.0),
                                _ => 0.0,
                            };
                            Some((created, map))
                        }
                        _ => None,
                    })
                    .collect();
                instances.sort_by(|a, b| a.0.total_cmp(&b.0));
                for (_, map) in instances {
                    let sides: Vec<SideResult> = format
                        .sides
                        .iter()
                        .map(|side| SideResult {
                            label: side.label.get(lang).to_owned(),
                            name: text_of(&txn, &map, &schema::side_name_key(&side.id)),
                            blocks: format
                                .side_blocks
                                .iter()
                                .map(|b| Block {
                                    label: b.label.get(lang).to_owned(),
                                    text: text_of(
                                        &txn,
                                        &map,
                                        &schema::side_block_key(&side.id, &b.id),
                                    ),
                                })
                                .collect(),
                        })
                        .collect();
                    let programme = sides
                        .iter()
                        .rev()
                        .find(|s| !s.name.trim().is_empty())
                        .map(|s| s.name.clone());
                    let title = match programme {
                        Some(name) => format!("{} – {name}", format.title.get(lang)),
                        None => format.title.get(lang).to_owned(),
                    };
                    let mut follow_up = Vec::new();
                    let mut actions = Vec::new();
                    for block in &format.follow_up {
                        let key = schema::follow_up_key(&block.id);
                        match block.input {
                            BlockInput::Text => follow_up.push(Block {
                                label: block.label.get(lang).to_owned(),
                                text: text_of(&txn, &map, &key),
                            }),
                            BlockInput::Actions => {
                                for row in rows(&txn, map.get(&txn, &key)) {
                                    let text = text_of(&txn, &row, schema::ACTION_TEXT);
                                    if text.trim().is_empty() {
                                        continue;
                                    }
                                    actions.push(ActionResult {
                                        text,
                                        owner: text_of(&txn, &row, schema::ACTION_OWNER),
                                        date: text_of(&txn, &row, schema::ACTION_DATE),
                                        source: title.clone(),
                                    });
                                }
                            }
                        }
                    }
                    results.actions.extend(actions.iter().cloned());
                    results.formats.push(FormatResult {
                        title,
                        sides,
                        connections: format
                            .connections
                            .iter()
                            .map(|b| Block {
                                label: b.label.get(lang).to_owned(),
                                text: text_of(&txn, &map, &schema::connection_key(&b.id)),
                            })
                            .collect(),
                        follow_up,
                        actions,
                    });
                }
            }
            Activity::List(list) => {
                let table_rows = rows(&txn, lists_root.get(&txn, &list.id))
                    .iter()
                    .map(|row| {
                        list.columns
                            .iter()
                            .map(|c| text_of(&txn, row, &c.id))
                            .collect::<Vec<_>>()
                    })
                    .filter(|cells| cells.iter().any(|c| !c.trim().is_empty()))
                    .collect();
                results.lists.push(TableResult {
                    title: list.title.get(lang).to_owned(),
                    columns: list
                        .columns
                        .iter()
                        .map(|c| c.label.get(lang).to_owned())
                        .collect(),
                    rows: table_rows,
                });
            }
            Activity::ConversationGuide(guide) => {
                let map = match guides_root.get(&txn, &guide.id) {
                    Some(Out::YMap(map)) => Some(map),
                    _ => None,
                };
                let items = guide
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(n, q)| GuideItem {
                        question: q.get(lang).to_owned(),
                        checked: map.as_ref().is_some_and(|m| {
                            matches!(
                                m.get(&txn, &schema::guide_checked_key(n)),
                                Some(Out::Any(Any::Bool(true)))
                            )
                        }),
                        notes: map
                            .as_ref()
                            .map(|m| text_of(&txn, m, &schema::guide_notes_key(n)))
                            .unwrap_or_default(),
                    })
                    .collect();
                results.conversation_guides.push(GuideResult {
                    title: guide.title.get(lang).to_owned(),
                    items,
                });
            }
            Activity::CommunicationPlan(plan) => {
                let table_rows = rows(&txn, plans_root.get(&txn, &plan.id))
                    .iter()
                    .map(|row| {
                        schema::PLAN_COLUMNS
                            .iter()
                            .map(|c| text_of(&txn, row, c))
                            .collect::<Vec<_>>()
                    })
                    .filter(|cells| cells.iter().any(|c| !c.trim().is_empty()))
                    .collect();
                results.communication_plans.push(TableResult {
                    title: plan.title.get(lang).to_owned(),
                    columns: [&plan.audience, &plan.knowledge, &plan.approach]
                        .iter()
                        .map(|h| h.label.get(lang).to_owned())
                        .collect(),
                    rows: table_rows,
                });
            }
            // Personal notes are their writers' own; what they share is on the board.
            Activity::Notes(note) if note.personal => {}
            Activity::Notes(note) => {
                let text = match notes_root.get(&txn, &note.id) {
                    Some(Out::YText(text)) => yrs::GetString::get_string(&text, &txn),
                    _ => String::new(),
                };
                results.notes.push(NoteResult {
                    title: note.title.get(lang).to_owned(),
                    text,
                });
            }
            Activity::BrainstormCarousel(_) | Activity::GuidedVisualisation(_) => {}
        }
    }

    let board_result = |board_id: &str, title: String| board_of(engine, board_id, title);
    results.boards = template
        .phases
        .iter()
        .map(|p| {
            board_result(
                &workshop::board_of(&p.id, None),
                p.title.get(lang).to_owned(),
            )
        })
        .filter(|b| !b.is_empty())
        .collect();

    if let Some(carousel) = &engine.state.carousel {
        for round in &carousel.rounds {
            let next_step = round.next_step.as_ref().map(|step| ActionResult {
                text: step.text.clone(),
                owner: step.owner.clone(),
                date: step.date.clone(),
                source: round.topic.clone(),
            });
            results.actions.extend(next_step.iter().cloned());
            results.carousel.push(RoundResult {
                topic: round.topic.clone(),
                owner: name_of(&round.owner_id),
                board: board_result(&workshop::board_of("", Some(&round.id)), String::new()),
                next_step,
            });
        }
    }
    results
}

/// The post-its of one board, grouped, most votes first.
fn board_of(engine: &Engine, board_id: &str, title: String) -> BoardResult {
    let board = &engine.state.board;
    let idea_result = |idea: &crate::engine::board::Idea| IdeaResult {
        text: idea.text.clone(),
        author: if idea.anonymous {
            String::new()
        } else {
            idea.author_name.clone()
        },
        votes: idea.voters.len() as u32,
        hidden: idea.hidden,
    };
    let mut by_votes: Vec<_> = board
        .ideas
        .iter()
        .filter(|i| i.board() == board_id)
        .collect();
    by_votes.sort_by(|a, b| {
        b.voters
            .len()
            .cmp(&a.voters.len())
            .then(a.created_at.cmp(&b.created_at))
    });
    BoardResult {
        title,
        groups: board
            .groups
            .iter()
            .map(|g| GroupResult {
                label: g.label.clone(),
                ideas: by_votes
                    .iter()
                    .filter(|i| i.group_id.as_deref() == Some(g.id.as_str()))
                    .map(|i| idea_result(i))
                    .collect(),
            })
            .filter(|g| !g.ideas.is_empty())
            .collect(),
        ungrouped: by_votes
            .iter()
            .filter(|i| i.group_id.is_none())
            .map(|i| idea_result(i))
            .collect(),
    }
}
