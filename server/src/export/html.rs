//! Results as one self-contained, print-ready HTML page (A4, no scripts, no external files).

use std::fmt::Write;

use super::*;

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "–".to_owned()
    } else {
        esc(text)
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.5;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}\
h1{font-size:1.8rem}h2{border-bottom:2px solid #1a5f7a;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #888;padding:.35rem .5rem;text-align:left;vertical-align:top}\
th{background:#e8f1f4}dt{font-weight:600;margin-top:.5rem}dd{margin:0 0 .3rem 0;white-space:pre-wrap}.meta{color:#444}\
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}table,dl{break-inside:avoid}}\
@page{size:A4;margin:18mm}";

fn table(out: &mut String, caption: &str, columns: &[String], rows: &[Vec<String>]) {
    let _ = write!(
        out,
        "<table><caption class=\"meta\">{}</caption><thead><tr>",
        esc(caption)
    );
    for c in columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(c));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", or_dash(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn blocks(out: &mut String, blocks: &[Block]) {
    out.push_str("<dl>");
    for b in blocks {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            esc(&b.label),
            or_dash(&b.text)
        );
    }
    out.push_str("</dl>");
}

pub fn render_html(r: &Results) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main><h1>{}</h1><p class=\"meta\">{} · {} · fase: {}</p>",
        esc(&r.title),
        esc(&r.title),
        esc(&r.workshop),
        esc(&r.exported_at),
        esc(&r.current_phase)
    );
    if !r.participants.is_empty() {
        let _ = write!(
            out,
            "<p>Deelnemers: {}</p>",
            esc(&r.participants.join(", "))
        );
    }
    out.push_str("<h2>Acties</h2>");
    if r.actions.is_empty() {
        out.push_str("<p>Nog geen acties.</p>");
    } else {
        let rows: Vec<Vec<String>> = r
            .actions
            .iter()
            .map(|a| {
                vec![
                    a.text.clone(),
                    a.owner.clone(),
                    a.date.clone(),
                    a.source.clone(),
                ]
            })
            .collect();
        table(
            &mut out,
            "Acties met wie en wanneer",
            &["Actie".into(), "Wie".into(), "Datum".into(), "Uit".into()],
            &rows,
        );
    }
    for format in &r.formats {
        let _ = write!(out, "<h2>{}</h2>", esc(&format.title));
        for side in &format.sides {
            let _ = write!(
                out,
                "<h3>{}: {}</h3>",
                esc(&side.label),
                or_dash(&side.name)
            );
            blocks(&mut out, &side.blocks);
        }
        out.push_str("<h3>Verbindingen</h3>");
        blocks(&mut out, &format.connections);
        blocks(&mut out, &format.follow_up);
    }
    if !r.boards.is_empty() {
        out.push_str("<h2>Post-its</h2>");
        for board in &r.boards {
            let _ = write!(out, "<h3>{}</h3>", esc(&board.title));
            board_html(&mut out, board, "h4");
        }
    }
    if !r.carousel.is_empty() {
        out.push_str("<h2>Brainstormcarrousel</h2>");
        for round in &r.carousel {
            let _ = write!(
                out,
                "<h3>{}</h3><p>Eigenaar: {}</p>",
                esc(&round.topic),
                or_dash(&round.owner)
            );
            board_html(&mut out, &round.board, "h4");
            let step = match &round.next_step {
                Some(s) => format!("{} ({}, {})", esc(&s.text), esc(&s.owner), esc(&s.date)),
                None => "nog geen".to_owned(),
            };
            let _ = write!(out, "<p><strong>Afspraak</strong>: {step}</p>");
        }
    }
    for list in r
        .lists
        .iter()
        .chain(&r.communication_plans)
        .filter(|l| !l.rows.is_empty())
    {
        let _ = write!(out, "<h2>{}</h2>", esc(&list.title));
        table(&mut out, &list.title, &list.columns, &list.rows);
    }
    for guide in &r.conversation_guides {
        let filled: Vec<_> = guide.answered().collect();
        if filled.is_empty() {
            continue;
        }
        let _ = write!(out, "<h2>{}</h2><ul>", esc(&guide.title));
        for item in filled {
            let mark = if item.checked { "☑" } else { "☐" };
            let _ = write!(
                out,
                "<li>{mark} {}: {}</li>",
                esc(&item.question),
                or_dash(&item.notes)
            );
        }
        out.push_str("</ul>");
    }
    for note in r.written_notes() {
        let _ = write!(
            out,
            "<h2>{}</h2><p style=\"white-space:pre-wrap\">{}</p>",
            esc(&note.title),
            esc(&note.text)
        );
    }
    out.push_str("<h2>Opbrengst per fase</h2><dl>");
    for phase in &r.phases {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            esc(&phase.title),
            esc(&phase.result)
        );
    }
    out.push_str("</dl></main></body></html>");
    out
}

fn idea_list(out: &mut String, ideas: &[IdeaResult]) {
    out.push_str("<ul>");
    for i in ideas {
        let author = if i.author.is_empty() {
            "anoniem".to_owned()
        } else {
            esc(&i.author)
        };
        let hidden = if i.hidden { " (verborgen)" } else { "" };
        let _ = write!(
            out,
            "<li>{} — {author}, {} stem(men){hidden}</li>",
            esc(&i.text),
            i.votes
        );
    }
    out.push_str("</ul>");
}

/// One board's post-its: each group under a heading of level `heading`, then the rest.
fn board_html(out: &mut String, board: &BoardResult, heading: &str) {
    if board.is_empty() {
        out.push_str("<p>Geen post-its.</p>");
        return;
    }
    for group in &board.groups {
        let _ = write!(out, "<{heading}>{}</{heading}>", esc(&group.label));
        idea_list(out, &group.ideas);
    }
    if !board.ungrouped.is_empty() {
        if !board.groups.is_empty() {
            let _ = write!(out, "<{heading}>Zonder groep</{heading}>");
        }
        idea_list(out, &board.ungrouped);
    }
}
