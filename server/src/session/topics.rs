//! Carousel topics from the connection formats: the opportunities and challenges written in
//! phase 3 are what phase 4's rounds are about, so the facilitator picks them instead of
//! typing them again. Read from the document, one suggestion per line.

use werkplaats_protocol::template::{Activity, BlockInput, BrainstormCarousel, Template};
use werkplaats_protocol::workshop::{TopicSuggestion, schema as names};
use yrs::{Any, Doc, Map, Out, Transact};

use super::schema::{format_activity, text_of};

/// At most this many suggestions, each at most this many characters (a round's topic).
const MAX_TOPICS: usize = 100;
const MAX_TOPIC_CHARS: usize = 200;

/// Every non-empty line of the formats' follow-up blocks named by the carousel's
/// `topics_from` (every text follow-up block if it names none), in the formats' order, without
/// list bullets and without repeats.
pub fn suggestions(
    doc: &Doc,
    template: &Template,
    carousel: &BrainstormCarousel,
) -> Vec<TopicSuggestion> {
    let formats = doc.get_or_insert_map(names::FORMATS);
    let txn = doc.transact();
    let mut instances: Vec<(f64, String, yrs::MapRef, String)> = formats
        .iter(&txn)
        .filter_map(|(id, value)| {
            let activity = format_activity(&txn, &value)?;
            let Out::YMap(map) = value else { return None };
            let created = match map.get(&txn, names::FORMAT_CREATED) {
                Some(Out::Any(Any::Number(n))) => n.as_f64().unwrap_or(0.0),
                _ => 0.0,
            };
            Some((created, id.to_owned(), map, activity))
        })
        .collect();
    instances.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let mut topics: Vec<TopicSuggestion> = Vec::new();
    for (_, format_id, map, activity_id) in instances {
        let Some((_, Activity::ConnectionFormat(format))) = template.activity(&activity_id) else {
            continue;
        };
        for block in &format.follow_up {
            let wanted = if carousel.topics_from.is_empty() {
                block.input == BlockInput::Text
            } else {
                carousel.topics_from.contains(&block.id)
            };
            if !wanted {
                continue;
            }
            let text = text_of(&txn, &map, &names::follow_up_key(&block.id));
            for line in text.lines() {
                let line = line.trim().trim_start_matches(['-', '*', '•', '–']).trim();
                if line.is_empty() || topics.iter().any(|t| t.text == line) {
                    continue;
                }
                topics.push(TopicSuggestion {
                    text: line.chars().take(MAX_TOPIC_CHARS).collect(),
                    format_id: format_id.clone(),
                    block_id: block.id.clone(),
                });
                if topics.len() == MAX_TOPICS {
                    return topics;
                }
            }
        }
    }
    topics
}
