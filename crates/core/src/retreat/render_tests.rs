//! The built-in templates and user templates: escaping, limits and error messages.

use super::tests::{contribution, run};
use super::*;
use crate::contribution::{Contribution, Excerpt};

fn sample_summary() -> Summary {
    let mut cs: Vec<Contribution> = [
        ("a", &[(4, 1), (5, 1)], 1),
        ("b", &[(4, 2), (5, 1)], 1),
        ("c", &[(4, 1), (5, 2)], 1),
    ]
    .iter()
    .map(|(w, ratings, unrated)| contribution(w, &[("equity", &ratings[..], *unrated)]))
    .collect();
    cs[0].excerpts = vec![Excerpt {
        values: vec!["equity".into()],
        text: "<script>alert('x')</script> & \"quotes\"".into(),
        content_note: None,
    }];
    cs[1].consent.name = Some("<b>Sam</b>".into());
    cs[1].excerpts = vec![Excerpt {
        values: vec![],
        text: "![pixel](https://example.org/p.png) [link](javascript:x)".into(),
        content_note: None,
    }];
    run(cs, 3).0
}

#[test]
fn retreat_html_is_escaped_and_self_contained() {
    let html = render(&sample_summary(), Format::Html).expect("renders");
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert("), "{html}");
    assert!(!html.contains("<b>Sam"));
    assert!(
        html.contains("&lt;b&gt;Sam&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;Sam&lt;/b&gt;")
    );
    assert!(html.contains("<svg role=\"img\""));
    assert!(html.contains("<table>"));
    assert!(html.contains("fewer than 3 members"));
    assert!(html.contains("Content-Security-Policy"));
    for remote in ["src=\"http", "href=\"http", "<link", "@import"] {
        assert!(!html.contains(remote), "no remote resources: {remote}");
    }
    // Rating 4 and 5 come from three members each: bars of equal height.
    assert!(html.contains("<title>4 (mostly): 4</title>"), "{html}");
    assert!(html.contains("<title>5 (fully): 4</title>"), "{html}");
}

#[test]
fn retreat_markdown_keeps_members_words_literal() {
    let md = render(&sample_summary(), Format::Markdown).expect("renders");
    assert!(md.starts_with("# Spring retreat\n"), "{md}");
    assert!(md.contains("3 members contributed"));
    assert!(md.contains("> \\<script\\>alert('x')\\</script\\>"), "{md}");
    assert!(
        md.contains("!\\[pixel\\](https://example.org/p.png)"),
        "{md}"
    );
    assert!(md.contains("| 4 · mostly | 4 |"), "{md}");
    assert!(
        md.contains("| 1 · not this week | *fewer than 3 members* |"),
        "{md}"
    );
}

#[test]
fn retreat_json_shows_hidden_figures_as_null() {
    let json = render(&sample_summary(), Format::Json).expect("renders");
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid json");
    assert_eq!(v["format"], "tend-retreat-summary");
    assert_eq!(
        v["values"][0]["ratings"][0]["count"],
        serde_json::Value::Null
    );
    assert_eq!(v["values"][0]["ratings"][3]["count"], 4);
}

fn user(
    templates: &'static [(&'static str, &'static str)],
    name: &str,
) -> Result<String, RenderError> {
    render_user_template(&sample_summary(), name, move |wanted| {
        Ok(templates
            .iter()
            .find(|(n, _)| *n == wanted)
            .map(|(_, s)| (*s).to_owned()))
    })
}

#[test]
fn retreat_user_templates_render_and_include() {
    let out = user(
        &[
            ("mine.md.j2", "{% include \"part.md.j2\" %} / {{ members }}"),
            ("part.md.j2", "{{ title }}"),
        ],
        "mine.md.j2",
    )
    .expect("renders");
    assert_eq!(out, "Spring retreat / 3");
    let html = user(
        &[("mine.html.j2", "{{ values[0].excerpts[0].text }}")],
        "mine.html.j2",
    )
    .expect("renders");
    assert!(html.starts_with("&lt;script&gt;"), "{html}");
    assert_eq!(
        user(&[], "missing.md.j2"),
        Err(RenderError::NotFound("missing.md.j2".into()))
    );
    let escaped = user(&[("a.md.j2", "{% include \"../secret\" %}")], "a.md.j2");
    assert!(
        matches!(escaped, Err(RenderError::Template { .. })),
        "{escaped:?}"
    );
}

#[test]
fn retreat_a_runaway_loop_is_stopped() {
    let started = std::time::Instant::now();
    let out = user(
        &[(
            "loop.md.j2",
            "{% for a in range(100000) %}{% for b in range(100000) %}{{ b }}{% endfor %}{% endfor %}",
        )],
        "loop.md.j2",
    );
    assert!(matches!(out, Err(RenderError::TooLong { .. })), "{out:?}");
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn retreat_a_template_error_names_its_line() {
    let err = user(
        &[("mine.md.j2", "# {{ title }}\n\n{{ no_such_thing }}\n")],
        "mine.md.j2",
    )
    .expect_err("strict");
    assert!(
        matches!(&err, RenderError::Template { line: Some(3), .. }),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("mine.md.j2, line 3: "), "{err}");
    let err = user(&[("bad.md.j2", "ok\n{% for x in %}\n")], "bad.md.j2").expect_err("syntax");
    assert!(err.to_string().starts_with("bad.md.j2, line 2: "), "{err}");
}
