//! Results as Markdown: headings, lists and tables that paste well into a report or an email.

use std::fmt::Write;

use super::*;

/// Text from participants, made safe for one Markdown line or table cell.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '|' | '*' | '_' | '`' | '#' | '[' | ']' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "–".to_owned()
    } else {
        inline(text)
    }
}

fn table(out: &mut String, columns: &[String], rows: &[Vec<String>]) {
    let _ = writeln!(
        out,
        "| {} |",
        columns
            .iter()
            .map(|c| inline(c))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(out, "|{}|", vec![" --- "; columns.len()].join("|"));
    for row in rows {
        let _ = writeln!(
            out,
            "| {} |",
            row.iter()
                .map(|c| or_dash(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    out.push('\n');
}

fn action_rows(actions: &[ActionResult]) -> Vec<Vec<String>> {
    actions
        .iter()
        .map(|a| {
            vec![
                a.text.clone(),
                a.owner.clone(),
                a.date.clone(),
                a.source.clone(),
            ]
        })
        .collect()
}

pub fn render_markdown(r: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", inline(&r.title));
    let _ = writeln!(
        out,
        "{} · {} · fase: {}\n",
        inline(&r.workshop),
        r.exported_at,
        inline(&r.current_phase)
    );
    if !r.participants.is_empty() {
        let _ = writeln!(
            out,
            "Deelnemers: {}\n",
            r.participants
                .iter()
                .map(|p| inline(p))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let _ = writeln!(out, "## Acties\n");
    if r.actions.is_empty() {
        out.push_str("Nog geen acties.\n\n");
    } else {
        table(
            &mut out,
            &["Actie".into(), "Wie".into(), "Datum".into(), "Uit".into()],
            &action_rows(&r.actions),
        );
    }

    for format in &r.formats {
        let _ = writeln!(out, "## {}\n", inline(&format.title));
        for side in &format.sides {
            let _ = writeln!(
                out,
                "### {}: {}\n",
                inline(&side.label),
                or_dash(&side.name)
            );
            for block in &side.blocks {
                let _ = writeln!(
                    out,
                    "- **{}**: {}",
                    inline(&block.label),
                    or_dash(&block.text)
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "### Verbindingen\n");
        for block in format.connections.iter().chain(&format.follow_up) {
            let _ = writeln!(
                out,
                "- **{}**: {}",
                inline(&block.label),
                or_dash(&block.text)
            );
        }
        out.push('\n');
    }

    if !r.boards.is_empty() {
        let _ = writeln!(out, "## Post-its\n");
        for board in &r.boards {
            let _ = writeln!(out, "### {}\n", inline(&board.title));
            board_markdown(&mut out, board);
        }
    }

    if !r.carousel.is_empty() {
        let _ = writeln!(out, "## Brainstormcarrousel\n");
        for round in &r.carousel {
            let _ = writeln!(
                out,
                "### {}\n\nEigenaar: {}\n",
                inline(&round.topic),
                or_dash(&round.owner)
            );
            board_markdown(&mut out, &round.board);
            let step = match &round.next_step {
                Some(s) => format!("{} ({}, {})", inline(&s.text), inline(&s.owner), s.date),
                None => "nog geen".to_owned(),
            };
            let _ = writeln!(out, "**Afspraak**: {step}\n");
        }
    }

    for list in r.lists.iter().chain(&r.communication_plans) {
        if list.rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {}\n", inline(&list.title));
        table(&mut out, &list.columns, &list.rows);
    }

    for guide in &r.conversation_guides {
        if guide.answered().next().is_none() {
            continue;
        }
        let _ = writeln!(out, "## {}\n", inline(&guide.title));
        for item in guide.answered() {
            let mark = if item.checked { "x" } else { " " };
            let _ = writeln!(
                out,
                "- [{mark}] {}: {}",
                inline(&item.question),
                or_dash(&item.notes)
            );
        }
        out.push('\n');
    }

    for note in r.written_notes() {
        let _ = writeln!(
            out,
            "## {}\n\n{}\n",
            inline(&note.title),
            inline(&note.text)
        );
    }

    let _ = writeln!(out, "## Opbrengst per fase\n");
    for phase in &r.phases {
        let _ = writeln!(
            out,
            "- **{}**: {}",
            inline(&phase.title),
            inline(&phase.result)
        );
    }
    out
}

fn idea_line(out: &mut String, i: &IdeaResult) {
    let author = if i.author.is_empty() {
        "anoniem".to_owned()
    } else {
        inline(&i.author)
    };
    let hidden = if i.hidden { " (verborgen)" } else { "" };
    let _ = writeln!(
        out,
        "- {} — {author}, {} stem(men){hidden}",
        inline(&i.text),
        i.votes
    );
}

/// One board's post-its: each group in bold, then the rest.
fn board_markdown(out: &mut String, board: &BoardResult) {
    if board.is_empty() {
        out.push_str("Geen post-its.\n\n");
        return;
    }
    for group in &board.groups {
        let _ = writeln!(out, "**{}**\n", inline(&group.label));
        for idea in &group.ideas {
            idea_line(out, idea);
        }
        out.push('\n');
    }
    if !board.ungrouped.is_empty() {
        if !board.groups.is_empty() {
            out.push_str("**Zonder groep**\n\n");
        }
        for idea in &board.ungrouped {
            idea_line(out, idea);
        }
        out.push('\n');
    }
}
