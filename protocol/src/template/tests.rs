//! Tests for the template format: the built-in workshop, round trips, and one broken template
//! per rule, each asserting that the error names the place to fix.

use super::*;

/// The smallest valid template; the negative tests break one thing in it at a time.
const MINIMAL: &str = r#"
id = "mini"
version = 1
title = { nl = "Mini", en = "Mini" }
languages = ["nl", "en"]

[[phases]]
id = "een"
title = { nl = "Een", en = "One" }
text = { nl = "Tekst.", en = "Text." }
result = { nl = "Resultaat.", en = "Result." }
duration_minutes = 10

[[phases.activities]]
kind = "brainstorm_carousel"
id = "carrousel"
title = { nl = "Carrousel", en = "Carousel" }

[[phases.activities.stages]]
id = "uitleg"
label = { nl = "Uitleg", en = "Explain" }
instruction = { nl = "Vertel.", en = "Tell." }
minutes = 2
who = "owner"
"#;

fn broken(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "test bug: {from:?} not in MINIMAL");
    MINIMAL.replacen(from, to, 1)
}

fn error_of(toml: &str) -> String {
    parse_template_toml(toml)
        .expect_err("template should be refused")
        .to_string()
}

fn carousel(template: &Template) -> &BrainstormCarousel {
    template
        .activities()
        .find_map(|a| match a {
            Activity::BrainstormCarousel(c) => Some(c),
            _ => None,
        })
        .expect("a carousel")
}

// --- the built-in workshop ---

#[test]
fn builtin_parses_with_six_phases_in_route_order() {
    let t = parse_template_toml(PROBIBLIO_TOML).expect("built-in template is valid");
    assert_eq!(t, builtin_probiblio());
    assert_eq!(t.id, PROBIBLIO_ID);
    assert_eq!(builtin(PROBIBLIO_ID), Some(t.clone()));
    assert_eq!(builtin("unknown"), None);
    let ids: Vec<&str> = t.phases.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "verkenning",
            "inzicht",
            "verbindingen",
            "uitvoeren",
            "borging",
            "delen"
        ]
    );
    assert_eq!(t.phases[0].title.nl, "Verkenning van het onderwerp");
    assert_eq!(t.phases[5].title.nl, "Deze werkwijze breder delen");
    for phase in &t.phases {
        assert!(
            !phase.assignments.is_empty(),
            "{} has assignments",
            phase.id
        );
        assert!(!phase.activities.is_empty(), "{} has activities", phase.id);
    }
    // The method asks for at least half an hour for the visualisation phase.
    assert!(t.phases[0].duration_minutes >= 30);
}

#[test]
fn builtin_carousel_is_2_3_5_3_2_with_owner_helpers_everyone_owner_owner() {
    let t = builtin_probiblio();
    let c = carousel(&t);
    let minutes: Vec<u32> = c.stages.iter().map(|s| s.minutes).collect();
    assert_eq!(minutes, [2, 3, 5, 3, 2]);
    let who: Vec<StageRole> = c.stages.iter().map(|s| s.who).collect();
    use StageRole::*;
    assert_eq!(who, [Owner, Helpers, Everyone, Owner, Owner]);
    assert_eq!(c.round_minutes(), 15);
    assert_eq!(
        t.activity(&c.id).map(|(p, _)| p.id.as_str()),
        Some("uitvoeren")
    );
}

#[test]
fn builtin_visualisation_has_eight_questions_and_fifteen_seconds_of_silence() {
    let t = builtin_probiblio();
    let v = t
        .activities()
        .find_map(|a| match a {
            Activity::GuidedVisualisation(v) => Some(v),
            _ => None,
        })
        .expect("a visualisation");
    assert_eq!(v.questions.len(), 8);
    assert!(v.silence_seconds >= 15);
}

#[test]
fn builtin_conversation_guide_has_fifteen_questions() {
    let t = builtin_probiblio();
    let g = t
        .activities()
        .find_map(|a| match a {
            Activity::ConversationGuide(g) => Some(g),
            _ => None,
        })
        .expect("a conversation guide");
    assert_eq!(g.questions.len(), 15);
    assert!(!g.tips.is_empty());
}

#[test]
fn builtin_connection_format_has_the_blocks_of_the_method() {
    let t = builtin_probiblio();
    let Some((phase, Activity::ConnectionFormat(f))) = t.activity("verbindingsformat") else {
        panic!("connection format missing");
    };
    assert_eq!(phase.id, "verbindingen");
    assert!(f.repeatable);
    assert_eq!(f.sides.len(), 2);
    assert!(!f.sides[0].name_editable && f.sides[1].name_editable);
    let labels = |blocks: &[FormatBlock]| -> Vec<String> {
        blocks.iter().map(|b| b.label.nl.clone()).collect()
    };
    assert_eq!(
        labels(&f.side_blocks),
        [
            "Doel(en)",
            "Primaire doelgroep(en)",
            "Indirecte doelgroep(en)",
            "Intern betrokken"
        ]
    );
    assert_eq!(f.connections.len(), 4);
    assert_eq!(f.connections[0].label.nl, "Overeenkomsten in doel(en)");
    assert_eq!(
        labels(&f.follow_up),
        ["Notities", "Kansen", "Uitdagingen", "Acties"]
    );
    assert_eq!(f.follow_up[3].input, BlockInput::Actions);
    assert!(
        f.side_blocks
            .iter()
            .chain(&f.connections)
            .chain(&f.follow_up)
            .all(|b| b.help.is_some()),
        "every block explains itself"
    );
}

#[test]
fn builtin_lists_and_communication_plan() {
    let t = builtin_probiblio();
    let lists: Vec<&str> = t
        .activities()
        .filter_map(|a| match a {
            Activity::List(l) => Some(l.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(lists, ["programmas", "zomergasten", "materialen"]);
    let Some((phase, Activity::CommunicationPlan(plan))) = t.activity("communicatieplan") else {
        panic!("communication plan missing");
    };
    assert_eq!(phase.id, "delen");
    assert!(plan.audience.label.nl.contains("collega's"));
    assert!(plan.approach.label.nl.contains("wanneer"));
}

#[test]
fn builtin_is_fully_translated() {
    let t = builtin_probiblio();
    assert_eq!(t.languages, [Language::Nl, Language::En]);
    // validate() enforces this for every text; spot-check the fallback logic too.
    assert_eq!(
        t.title.get(Language::En),
        "Digital inclusion and the social-educational library"
    );
    assert_eq!(LocalizedText::nl("Hallo").get(Language::En), "Hallo");
}

// --- round trips ---

#[test]
fn json_round_trip() {
    let t = builtin_probiblio();
    let json = t.to_json_string();
    assert!(json.contains(r#""kind": "brainstorm_carousel""#));
    assert_eq!(parse_template_json(&json).unwrap(), t);
}

#[test]
fn toml_round_trip() {
    let t = builtin_probiblio();
    let toml = t.to_toml_string().unwrap();
    assert_eq!(parse_template_toml(&toml).unwrap(), t);
    let mini = parse_template_toml(MINIMAL).unwrap();
    assert_eq!(
        parse_template_toml(&mini.to_toml_string().unwrap()).unwrap(),
        mini
    );
}

#[test]
fn english_may_be_left_out_when_the_template_is_dutch_only() {
    let dutch_only = MINIMAL
        .replace(r#"languages = ["nl", "en"]"#, r#"languages = ["nl"]"#)
        .replace(r#", en = "Explain""#, "");
    let t = parse_template_toml(&dutch_only).unwrap();
    assert_eq!(carousel(&t).stages[0].label.en, None);
}

// --- syntax and shape errors carry a line and column ---

#[test]
fn toml_syntax_error_names_line_and_column() {
    let err = parse_template_toml(&broken("version = 1", "version = = 1")).unwrap_err();
    let TemplateError::Toml { line, column, .. } = &err else {
        panic!("expected a TOML error, got {err}");
    };
    assert_eq!((*line, column.is_some()), (Some(3), true));
    assert!(
        err.to_string().starts_with("TOML error at line 3, column"),
        "{err}"
    );
}

#[test]
fn unknown_field_is_refused_so_typos_are_caught() {
    let err = error_of(&broken("minutes = 2", "minuten = 2"));
    assert!(err.contains("TOML error at line"), "{err}");
    assert!(err.contains("unknown field `minuten`"), "{err}");
}

#[test]
fn unknown_kind_is_refused() {
    let err = error_of(&broken("\"brainstorm_carousel\"", "\"brainstorm\""));
    assert!(err.contains("at line 15, column 8"), "{err}");
    assert!(err.contains("unknown variant `brainstorm`"), "{err}");
}

#[test]
fn unknown_role_is_refused() {
    let err = error_of(&broken("who = \"owner\"", "who = \"boss\""));
    assert!(err.contains("unknown variant `boss`"), "{err}");
}

#[test]
fn unknown_language_is_refused() {
    let err = error_of(&broken(r#"["nl", "en"]"#, r#"["nl", "de"]"#));
    assert!(err.contains("at line 5"), "{err}");
    assert!(err.contains("unknown variant `de`"), "{err}");
}

#[test]
fn json_error_names_line_and_column() {
    let err = parse_template_json("{\n  \"id\": \"x\",\n  \"version\": \"een\"\n}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "JSON error at line 3, column 18: invalid type: string \"een\", expected u32"
    );
}

#[test]
fn too_large_is_refused_before_parsing() {
    let huge = format!("# {}\n{MINIMAL}", "x".repeat(limits::MAX_TEMPLATE_BYTES));
    assert!(matches!(
        parse_template_toml(&huge),
        Err(TemplateError::TooLarge { .. })
    ));
    assert!(matches!(
        parse_template_json(&huge),
        Err(TemplateError::TooLarge { .. })
    ));
}

// --- rule violations carry a field path ---

#[test]
fn stage_minutes_out_of_range_names_the_stage() {
    let err = error_of(&broken("minutes = 2", "minutes = 0"));
    assert_eq!(
        err,
        "invalid template: phases[0].activities[0].stages[0].minutes: \
         must be between 1 and 120 (found 0)"
    );
    let err = error_of(&broken("minutes = 2", "minutes = 121"));
    assert!(
        err.contains("stages[0].minutes: must be between 1 and 120"),
        "{err}"
    );
}

#[test]
fn stage_path_counts_from_zero_deep_in_the_template() {
    let t = builtin_probiblio();
    let mut t = t;
    let Activity::BrainstormCarousel(c) = &mut t.phases[3].activities[0] else {
        panic!("phase 4 starts with the carousel");
    };
    c.stages[3].minutes = 0;
    let err = t.validate().unwrap_err();
    assert_eq!(
        err.problems(),
        [Problem::new(
            "phases[3].activities[0].stages[3].minutes",
            "must be between 1 and 120 (found 0)"
        )]
    );
}

#[test]
fn empty_carousel_is_refused() {
    let cut = MINIMAL.find("[[phases.activities.stages]]").unwrap();
    let err = error_of(&MINIMAL[..cut].replace(
        "title = { nl = \"Carrousel\", en = \"Carousel\" }",
        "title = { nl = \"Carrousel\", en = \"Carousel\" }\nstages = []",
    ));
    assert!(
        err.contains("phases[0].activities[0].stages: a carousel needs at least one stage"),
        "{err}"
    );
}

#[test]
fn at_least_one_phase() {
    let cut = MINIMAL.find("[[phases]]").unwrap();
    let err = error_of(&format!("{}phases = []\n", &MINIMAL[..cut]));
    assert_eq!(
        err,
        "invalid template: phases: a template needs at least one phase"
    );
}

#[test]
fn duplicate_phase_ids_are_refused() {
    let second_phase = &MINIMAL[MINIMAL.find("[[phases]]").unwrap()..]
        .replace("id = \"carrousel\"", "id = \"carrousel-2\"");
    let err = error_of(&format!("{MINIMAL}\n{second_phase}"));
    assert_eq!(
        err,
        "invalid template: phases[1].id: \"een\" is already used by phases[0]"
    );
}

#[test]
fn activity_ids_are_unique_across_the_whole_template() {
    let second_phase =
        &MINIMAL[MINIMAL.find("[[phases]]").unwrap()..].replace("id = \"een\"", "id = \"twee\"");
    let err = error_of(&format!("{MINIMAL}\n{second_phase}"));
    assert_eq!(
        err,
        "invalid template: phases[1].activities[0].id: \"carrousel\" is already used by \
         phases[0].activities[0]"
    );
}

#[test]
fn duplicate_stage_ids_are_refused() {
    let stage = &MINIMAL[MINIMAL.find("[[phases.activities.stages]]").unwrap()..];
    let err = error_of(&format!("{MINIMAL}{stage}"));
    assert!(
        err.contains(
            "phases[0].activities[0].stages[1].id: \"uitleg\" is already used by \
             phases[0].activities[0].stages[0]"
        ),
        "{err}"
    );
}

#[test]
fn empty_dutch_text_is_refused() {
    let err = error_of(&broken("nl = \"Tekst.\"", "nl = \"  \""));
    assert_eq!(
        err,
        "invalid template: phases[0].text.nl: must not be empty"
    );
}

#[test]
fn missing_english_is_refused_when_english_is_listed() {
    let err = error_of(&broken(", en = \"Tell.\"", ""));
    assert!(
        err.contains("phases[0].activities[0].stages[0].instruction.en: English text is missing"),
        "{err}"
    );
}

#[test]
fn dutch_is_required_in_languages() {
    let err = error_of(&broken(r#"["nl", "en"]"#, r#"["en"]"#));
    assert!(err.contains("languages: must contain \"nl\""), "{err}");
}

#[test]
fn silence_below_fifteen_seconds_is_refused() {
    let t = builtin_probiblio();
    let err = t
        .with_durations(&DurationOverrides::new().silence("ido-over-5-jaar", 10))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid template: phases[0].activities[0].silence_seconds: \
         must be between 15 and 300 (found 10)"
    );
}

#[test]
fn bad_ids_are_refused() {
    let err = error_of(&broken("id = \"uitleg\"", "id = \"Uit leg\""));
    assert!(
        err.contains("phases[0].activities[0].stages[0].id: \"Uit leg\" is not a valid id"),
        "{err}"
    );
    let err = error_of(&broken("id = \"mini\"", "id = \"\""));
    assert!(
        err.contains("invalid template: id: \"\" is not a valid id"),
        "{err}"
    );
}

#[test]
fn long_and_multiline_titles_are_refused() {
    let long = "a".repeat(limits::MAX_SHORT_TEXT_CHARS + 1);
    let err = error_of(&broken("nl = \"Uitleg\"", &format!("nl = \"{long}\"")));
    assert!(
        err.contains("stages[0].label.nl: is 161 characters long; at most 160 are allowed"),
        "{err}"
    );
    let err = error_of(&broken("nl = \"Uitleg\"", "nl = \"Uit\\nleg\""));
    assert!(
        err.contains("stages[0].label.nl: must be a single line"),
        "{err}"
    );
    // Line breaks are fine in longer texts.
    parse_template_toml(&broken("nl = \"Vertel.\"", "nl = \"Vertel.\\nKort.\"")).unwrap();
}

#[test]
fn too_many_questions_are_refused() {
    let mut t = builtin_probiblio();
    let Activity::ConversationGuide(g) = &mut t.phases[4].activities[0] else {
        panic!("phase 5 starts with the guide");
    };
    g.questions = vec![g.questions[0].clone(); limits::MAX_QUESTIONS + 1];
    let err = t.validate().unwrap_err().to_string();
    assert!(
        err.contains("phases[4].activities[0].questions: has 41 entries; at most 40 are allowed"),
        "{err}"
    );
}

#[test]
fn too_many_phases_are_refused_without_walking_them() {
    let mut t = builtin_probiblio();
    let phase = t.phases[0].clone();
    t.phases = vec![phase; 1000];
    let err = t.validate().unwrap_err();
    assert_eq!(
        err.problems(),
        [Problem::new(
            "phases",
            "has 1000 entries; at most 20 are allowed"
        )]
    );
}

#[test]
fn connection_format_needs_two_sides() {
    let mut t = builtin_probiblio();
    let Activity::ConnectionFormat(f) = &mut t.phases[2].activities[0] else {
        panic!("phase 3 starts with the format");
    };
    f.sides.pop();
    f.follow_up[1].id = "doelen".into();
    let err = t.validate().unwrap_err().to_string();
    assert!(
        err.contains("phases[2].activities[0].sides: needs exactly 2 programmes, found 1"),
        "{err}"
    );
    assert!(
        err.contains(
            "phases[2].activities[0].follow_up[1].id: \"doelen\" is already used by \
             phases[2].activities[0].side_blocks[0]"
        ),
        "{err}"
    );
}

#[test]
fn several_problems_are_reported_together() {
    let text = broken("minutes = 2", "minutes = 0")
        .replace("duration_minutes = 10", "duration_minutes = 0");
    let err = parse_template_toml(&text).unwrap_err();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "phases[0].duration_minutes",
            "phases[0].activities[0].stages[0].minutes"
        ]
    );
}

// --- duration overrides ---

#[test]
fn overrides_change_durations_and_keep_the_rest() {
    let t = builtin_probiblio();
    let overrides = DurationOverrides::new()
        .phase("uitvoeren", 90)
        .stage("brainstormcarrousel", "ideeen", 8)
        .silence("ido-over-5-jaar", 20);
    assert_eq!(overrides.len(), 3);
    let changed = t.with_durations(&overrides).unwrap();
    assert_eq!(changed.phase("uitvoeren").unwrap().duration_minutes, 90);
    let minutes: Vec<u32> = carousel(&changed)
        .stages
        .iter()
        .map(|s| s.minutes)
        .collect();
    assert_eq!(minutes, [2, 3, 8, 3, 2]);
    let Some((_, Activity::GuidedVisualisation(v))) = changed.activity("ido-over-5-jaar") else {
        panic!()
    };
    assert_eq!(v.silence_seconds, 20);
    // The original is untouched.
    assert_eq!(carousel(&t).stages[2].minutes, 5);
    assert_eq!(t.with_durations(&DurationOverrides::new()).unwrap(), t);
}

#[test]
fn overrides_are_validated_like_a_template() {
    let t = builtin_probiblio();
    let err = t
        .with_durations(&DurationOverrides::new().stage("brainstormcarrousel", "doorlezen", 0))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid template: phases[3].activities[0].stages[3].minutes: \
         must be between 1 and 120 (found 0)"
    );
}

#[test]
fn overrides_with_unknown_ids_name_the_override() {
    let t = builtin_probiblio();
    let overrides = DurationOverrides::new()
        .phase("fase-9", 10)
        .stage("brainstormcarrousel", "pauze", 3)
        .stage("verbindingsformat", "x", 3)
        .silence("nergens", 20);
    let err = t.with_durations(&overrides).unwrap_err();
    let problems: Vec<String> = err.problems().iter().map(Problem::to_string).collect();
    assert_eq!(
        problems,
        [
            "overrides.phases.fase-9: there is no phase with this id",
            "overrides.stages.brainstormcarrousel.pauze: this carousel has no stage with this id",
            "overrides.stages.verbindingsformat: is a connection_format, not a brainstorm_carousel",
            "overrides.silence_seconds.nergens: there is no activity with this id",
        ]
    );
}

#[test]
fn overrides_travel_as_json() {
    let json =
        r#"{"phases": {"verkenning": 40}, "stages": {"brainstormcarrousel": {"ideeen": 8}}}"#;
    let overrides: DurationOverrides = serde_json::from_str(json).unwrap();
    assert_eq!(
        overrides,
        DurationOverrides::new()
            .phase("verkenning", 40)
            .stage("brainstormcarrousel", "ideeen", 8)
    );
    assert!(builtin_probiblio().with_durations(&overrides).is_ok());
}

// --- the author documentation stays true ---

/// The fenced blocks of `templates/README.md` with this language tag.
fn readme_blocks(language: &str) -> Vec<&'static str> {
    const README: &str = include_str!("../../templates/README.md");
    let fence = format!("```{language}\n");
    README
        .split(fence.as_str())
        .skip(1)
        .map(|rest| &rest[..rest.find("```").expect("closed fence")])
        .collect()
}

#[test]
fn readme_examples_are_valid() {
    let [example] = readme_blocks("toml")[..] else {
        panic!("one TOML example in the README");
    };
    let t = parse_template_toml(example).unwrap();
    assert_eq!(carousel(&t).round_minutes(), 7);

    let [overrides] = readme_blocks("json")[..] else {
        panic!("one JSON example in the README");
    };
    let overrides: DurationOverrides = serde_json::from_str(overrides).unwrap();
    builtin_probiblio().with_durations(&overrides).unwrap();
}

#[test]
fn readme_error_example_is_what_the_parser_says() {
    let err = error_of(&broken(
        "duration_minutes = 10",
        "duration_minutes = \"tien\"",
    ));
    assert_eq!(
        err,
        "TOML error at line 12, column 20: invalid type: string \"tien\", expected u32"
    );
}

// --- untrusted input never panics ---

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn truncated_builtin_is_refused_or_valid_never_a_panic(cut in 0usize..PROBIBLIO_TOML.len()) {
        let cut = (0..=cut).rev().find(|&i| PROBIBLIO_TOML.is_char_boundary(i)).unwrap_or(0);
        let _ = parse_template_toml(&PROBIBLIO_TOML[..cut]);
        let json = builtin_probiblio().to_json_string();
        let cut = cut.min(json.len());
        let cut = (0..=cut).rev().find(|&i| json.is_char_boundary(i)).unwrap_or(0);
        let _ = parse_template_json(&json[..cut]);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_template_toml(&text);
        let _ = parse_template_json(&text);
    }
}
