//! Engine rules: permissions for every command, phases, and the board through commands.

use werkplaats_protocol::control::{Command, Role};
use werkplaats_protocol::template::builtin_probiblio;

use super::*;

fn engine() -> Engine {
    Engine::new(
        std::sync::Arc::new(builtin_probiblio()),
        EngineState::default(),
        60_000.0,
    )
}

fn actor(role: Role) -> Actor<'static> {
    let participant_id = match role {
        Role::Facilitator => "fac",
        Role::CoFacilitator => "co",
        Role::Participant => "p1",
        Role::Display => "screen",
    };
    Actor {
        participant_id,
        name: "Naam",
        role,
        author_key: &[7; 32],
    }
}

fn names(id: &str) -> Option<String> {
    ["fac", "co", "p1", "p2", "screen"]
        .contains(&id)
        .then(|| id.to_uppercase())
}

fn run(engine: &mut Engine, role: Role, command: Command) -> Result<Changes, CommandError> {
    let mut n = 0;
    engine.apply(
        actor(role),
        &command,
        1_000_000.0,
        &mut || {
            n += 1;
            format!("id{n}")
        },
        &names,
    )
}

/// Every command only facilitators may send.
fn steering_commands() -> Vec<Command> {
    vec![
        Command::PhaseNext,
        Command::PhasePrevious,
        Command::PhaseGoto { index: 2 },
        Command::SetSettings {
            anonymous_posting: Some(true),
            votes_per_participant: None,
            auto_next_round: None,
        },
        Command::HideIdea {
            idea_id: "id1".into(),
            hidden: true,
        },
        Command::CarouselAddRound {
            topic: "t".into(),
            owner_id: "p1".into(),
            activity_id: None,
        },
        Command::CarouselSetOwner {
            round_id: "id1".into(),
            owner_id: "p2".into(),
        },
        Command::CarouselStart { round_id: None },
        Command::CarouselPause,
        Command::CarouselResume,
        Command::CarouselAddTime { seconds: 60 },
        Command::CarouselNextStage,
        Command::CarouselPreviousStage,
        Command::CarouselRestartStage,
        Command::CarouselNextRound,
        Command::CarouselEnd,
        Command::VisualisationStart {
            activity_id: "ido-over-5-jaar".into(),
            asker_id: None,
        },
        Command::VisualisationStop,
    ]
}

#[test]
fn every_facilitator_command_is_refused_for_participants_and_displays() {
    for role in [Role::Participant, Role::Display] {
        for command in steering_commands() {
            let mut e = engine();
            let before = serde_json::to_string(&e.state).unwrap();
            let result = run(&mut e, role, command.clone());
            assert_eq!(
                result,
                Err(CommandError::Forbidden("only the facilitator can do this")),
                "{role:?} {command:?}"
            );
            assert_eq!(
                serde_json::to_string(&e.state).unwrap(),
                before,
                "state unchanged by {command:?}"
            );
        }
    }
}

#[test]
fn the_display_cannot_post_vote_or_group() {
    let mut e = engine();
    run(
        &mut e,
        Role::Participant,
        Command::PostIdea {
            text: "idee".into(),
            client_ref: "r".into(),
        },
    )
    .unwrap();
    for command in [
        Command::PostIdea {
            text: "x".into(),
            client_ref: "d".into(),
        },
        Command::Vote {
            idea_id: "id1".into(),
        },
        Command::GroupIdeas {
            idea_ids: vec!["id1".into()],
            group_id: None,
            label: Some("g".into()),
        },
    ] {
        assert!(matches!(
            run(&mut e, Role::Display, command),
            Err(CommandError::Forbidden(_))
        ));
    }
}

#[test]
fn co_facilitators_steer_too() {
    let mut e = engine();
    assert!(
        run(&mut e, Role::CoFacilitator, Command::PhaseNext)
            .unwrap()
            .phase
    );
    assert_eq!(e.phase_view().index, 1);
}

#[test]
fn phases_move_forward_back_and_jump_within_bounds() {
    let mut e = engine();
    assert!(run(&mut e, Role::Facilitator, Command::PhasePrevious).is_err());
    run(&mut e, Role::Facilitator, Command::PhaseGoto { index: 5 }).unwrap();
    assert_eq!(e.phase_view().phase_id, e.template.phases[5].id);
    assert!(run(&mut e, Role::Facilitator, Command::PhaseNext).is_err());
    assert!(run(&mut e, Role::Facilitator, Command::PhaseGoto { index: 6 }).is_err());
    run(&mut e, Role::Facilitator, Command::PhasePrevious).unwrap();
    assert_eq!(e.phase_view().index, 4);
}

#[test]
fn the_visualisation_ends_with_its_phase() {
    let mut e = engine();
    let start = Command::VisualisationStart {
        activity_id: "ido-over-5-jaar".into(),
        asker_id: None,
    };
    for step in [Command::PhaseNext, Command::PhaseGoto { index: 3 }] {
        run(&mut e, Role::Facilitator, Command::PhaseGoto { index: 0 }).unwrap();
        run(&mut e, Role::Facilitator, start.clone()).unwrap();
        let seq = e.state.visualisation.as_ref().unwrap().seq;
        let changes = run(&mut e, Role::Facilitator, step).unwrap();
        assert!(changes.phase && changes.visualisation);
        assert!(e.state.visualisation.is_none());
        assert_eq!(
            e.state.visualisation_seq, seq,
            "a later one continues above it"
        );
    }
    run(&mut e, Role::Facilitator, Command::PhaseGoto { index: 0 }).unwrap();
    run(&mut e, Role::Facilitator, start).unwrap();
    let same = run(&mut e, Role::Facilitator, Command::PhaseGoto { index: 0 }).unwrap();
    assert!(!same.visualisation && e.state.visualisation.is_some());
}

#[test]
fn post_its_are_stamped_with_phase_round_and_stage() {
    let mut e = engine();
    run(&mut e, Role::Facilitator, Command::PhaseGoto { index: 3 }).unwrap();
    run(
        &mut e,
        Role::Facilitator,
        Command::CarouselAddRound {
            topic: "Kans".into(),
            owner_id: "p1".into(),
            activity_id: None,
        },
    )
    .unwrap();
    run(
        &mut e,
        Role::Facilitator,
        Command::CarouselStart { round_id: None },
    )
    .unwrap();
    e.tick(1_000_000.0 + 5.0 * 60_000.0);
    run(
        &mut e,
        Role::Participant,
        Command::PostIdea {
            text: "  Koffie-ochtend  ".into(),
            client_ref: "r1".into(),
        },
    )
    .unwrap();
    let idea = e.state.board.ideas.last().unwrap();
    assert_eq!(idea.text, "Koffie-ochtend");
    assert_eq!(idea.author_id, "p1");
    assert_eq!(idea.phase_id, e.template.phases[3].id);
    assert_eq!(
        idea.stage_id.as_deref(),
        Some(e.state.carousel.as_ref().unwrap().stages[2].id.as_str())
    );
    assert!(idea.round_id.is_some());
}

#[test]
fn only_the_owner_or_a_facilitator_sets_the_next_step() {
    let mut e = engine();
    run(
        &mut e,
        Role::Facilitator,
        Command::CarouselAddRound {
            topic: "Kans".into(),
            owner_id: "p2".into(),
            activity_id: None,
        },
    )
    .unwrap();
    let round_id = e.state.carousel.as_ref().unwrap().rounds[0].id.clone();
    let step = Command::SetNextStep {
        round_id: round_id.clone(),
        text: "Bellen met Taalhuis".into(),
        owner: None,
        date: Some("2026-12-01".into()),
    };
    assert!(matches!(
        run(&mut e, Role::Participant, step.clone()),
        Err(CommandError::Forbidden(_))
    ));
    run(&mut e, Role::Facilitator, step).unwrap();
    let next = e.state.carousel.as_ref().unwrap().rounds[0]
        .next_step
        .clone()
        .unwrap();
    assert_eq!(
        (next.owner.as_str(), next.date.as_str()),
        ("P2", "2026-12-01")
    );
    let bad_date = Command::SetNextStep {
        round_id,
        text: "x".into(),
        owner: None,
        date: Some("morgen".into()),
    };
    assert!(run(&mut e, Role::Facilitator, bad_date).is_err());
}

#[test]
fn owners_must_be_in_the_session() {
    let mut e = engine();
    let result = run(
        &mut e,
        Role::Facilitator,
        Command::CarouselAddRound {
            topic: "t".into(),
            owner_id: "stranger".into(),
            activity_id: None,
        },
    );
    assert!(matches!(result, Err(CommandError::NotFound(_))));
}

#[test]
fn iso_dates_are_civil_dates() {
    assert_eq!(iso_date(0.0), "1970-01-01");
    assert_eq!(iso_date(1_795_996_800_000.0), "2026-11-30");
    assert_eq!(iso_date(951_782_400_000.0), "2000-02-29");
}
