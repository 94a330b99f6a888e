//! Leaving and entering tend: its own JSON export, a Markdown export, and jrnl's JSON export.
//!
//! Exports are plaintext by nature; the CLI says so before writing one. Imports are
//! untrusted input: they are parsed strictly and never panic.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::commitment::Commitment;
use crate::id::{Handles, RecordId};
use crate::reflection::Reflection;
use crate::repair::Repair;

/// The `format` field of tend's JSON export.
pub const FORMAT: &str = "tend-export";
/// The version of tend's JSON export this build writes and reads.
pub const VERSION: u32 = 1;

/// A record with the ids it had in the journal it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithId<T> {
    /// Its format 1 record number in the exporting journal, for records that have one (an
    /// export from before format 2 holds only this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Its id on every device (32 letters), which an import keeps when it can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<RecordId>,
    /// The record.
    #[serde(flatten)]
    pub record: T,
}

impl<T> WithId<T> {
    /// A record with its ids.
    pub fn new(id: Option<u64>, record_id: Option<RecordId>, record: T) -> Self {
        Self {
            id,
            record_id,
            record,
        }
    }

    /// Drops the ids.
    pub fn unwrap_all(records: Vec<Self>) -> Vec<T> {
        records.into_iter().map(|w| w.record).collect()
    }

    /// The record with its id, when every record has one: what an import that keeps ids
    /// writes. `None` when any record has none (an export from before format 2).
    pub fn with_record_ids(records: &[Self]) -> Option<Vec<(RecordId, &T)>> {
        records
            .iter()
            .map(|w| w.record_id.map(|id| (id, &w.record)))
            .collect()
    }

    /// How the record is named in a Markdown export: its handle among `handles`, or its
    /// old number, or nothing.
    fn label(&self, handles: &Handles) -> String {
        match (self.record_id, self.id) {
            (Some(rid), _) => handles.handle(rid),
            (None, Some(n)) => format!("#{n}"),
            (None, None) => String::new(),
        }
    }
}

fn handles_of<T>(records: &[WithId<T>]) -> Handles {
    Handles::new(records.iter().filter_map(|w| w.record_id))
}

/// tend's own export: everything a member wrote, in plain JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// Always [`FORMAT`].
    pub format: String,
    /// The export version; see [`VERSION`].
    pub version: u32,
    /// When the export was made.
    pub exported: DateTime<Utc>,
    /// Reflections, oldest first.
    #[serde(default)]
    pub reflections: Vec<WithId<Reflection>>,
    /// Commitments.
    #[serde(default)]
    pub commitments: Vec<WithId<Commitment>>,
    /// Repairs.
    #[serde(default)]
    pub repairs: Vec<WithId<Repair>>,
}

/// An import file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// Not JSON, or not the expected shape.
    #[error("line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A tend export of a format this build does not know.
    #[error("this is not a tend export (its format is {0:?})")]
    NotTendExport(String),
    /// A tend export from a newer version of tend.
    #[error(
        "this export was written by a newer tend (export version {0}, this tend reads {VERSION})"
    )]
    NewerVersion(u32),
    /// A jrnl entry with a date that is not a date.
    #[error("jrnl entry {index}: {what}")]
    JrnlEntry {
        /// 1-based position in the file.
        index: usize,
        /// What is wrong with it.
        what: String,
    },
}

impl From<serde_json::Error> for ImportError {
    fn from(e: serde_json::Error) -> Self {
        let message = e.to_string();
        // serde_json appends " at line L column C"; keep only the readable part.
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_owned();
        ImportError::Json {
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

impl Export {
    /// An export of the given records, made at `exported`.
    pub fn new(
        exported: DateTime<Utc>,
        reflections: Vec<WithId<Reflection>>,
        commitments: Vec<WithId<Commitment>>,
        repairs: Vec<WithId<Repair>>,
    ) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            exported,
            reflections,
            commitments,
            repairs,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads tend's JSON export.
    pub fn parse(json: &str) -> Result<Self, ImportError> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<String>,
            version: Option<u32>,
        }
        let head: Head = serde_json::from_str(json)?;
        match head.format.as_deref() {
            Some(FORMAT) => {}
            other => return Err(ImportError::NotTendExport(other.unwrap_or("").to_owned())),
        }
        if let Some(v) = head.version.filter(|v| *v > VERSION) {
            return Err(ImportError::NewerVersion(v));
        }
        Ok(serde_json::from_str(json)?)
    }

    /// A Markdown rendering, for reading or printing.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# Reflections\n");
        let handles = handles_of(&self.reflections);
        for r in &self.reflections {
            let rec = &r.record;
            out.push_str(&format!("\n## {} · {}\n\n", rec.on, r.label(&handles)));
            if !rec.values.is_empty() {
                let values: Vec<String> = rec
                    .values
                    .iter()
                    .map(|v| match v.rating {
                        Some(n) => format!("{} ({n})", v.value),
                        None => v.value.clone(),
                    })
                    .collect();
                out.push_str(&format!("Values: {}  \n", values.join(", ")));
            }
            if !rec.tags.is_empty() {
                out.push_str(&format!("Tags: {}  \n", rec.tags.join(", ")));
            }
            if let Some(note) = &rec.content_note {
                out.push_str(&format!("Content note: {note}  \n"));
            }
            out.push('\n');
            out.push_str(rec.text.trim_end());
            out.push('\n');
        }
        if !self.commitments.is_empty() {
            out.push_str("\n# Commitments\n\n");
            let handles = handles_of(&self.commitments);
            for c in &self.commitments {
                let due = c
                    .record
                    .due
                    .map(|d| format!(", by {d}"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "- {} {} ({}{due})\n",
                    c.label(&handles),
                    c.record.text,
                    c.record.state.word()
                ));
            }
        }
        if !self.repairs.is_empty() {
            out.push_str("\n# Repairs\n");
            let handles = handles_of(&self.repairs);
            for r in &self.repairs {
                out.push_str(&format!(
                    "\n## {} opened {}\n\n{}\n",
                    r.label(&handles),
                    r.record.opened.date_naive(),
                    r.record.text
                ));
                for s in &r.record.steps {
                    out.push_str(&format!(
                        "- {} ({}): {}\n",
                        s.part.heading(),
                        s.at.date_naive(),
                        s.note
                    ));
                }
                if let Some(c) = &r.record.closed {
                    out.push_str(&format!("- closed ({}): {}\n", c.at.date_naive(), c.note));
                }
            }
        }
        out
    }
}

#[derive(Debug, Deserialize)]
struct JrnlFile {
    entries: Vec<JrnlEntry>,
}

#[derive(Debug, Deserialize)]
struct JrnlEntry {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    date: String,
    #[serde(default)]
    time: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// Reads a jrnl `--format json` export: each entry becomes a reflection with its date, its
/// title and body as text, and its tags (without the `@`). Times are read as UTC.
pub fn parse_jrnl(json: &str, imported: DateTime<Utc>) -> Result<Vec<Reflection>, ImportError> {
    let file: JrnlFile = serde_json::from_str(json)?;
    let mut out = Vec::with_capacity(file.entries.len());
    for (i, e) in file.entries.into_iter().enumerate() {
        let bad = |what: String| ImportError::JrnlEntry { index: i + 1, what };
        let on = NaiveDate::parse_from_str(e.date.trim(), "%Y-%m-%d")
            .map_err(|_| bad(format!("{:?} is not a date like 2024-05-01", e.date)))?;
        let time = match e.time.as_deref().map(str::trim) {
            None | Some("") => NaiveTime::MIN,
            Some(t) => NaiveTime::parse_from_str(t, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
                .map_err(|_| bad(format!("{t:?} is not a time like 09:30")))?,
        };
        let title = e.title.trim();
        let body = e.body.trim();
        let text = match (title.is_empty(), body.is_empty()) {
            (_, true) => title.to_owned(),
            (true, false) => body.to_owned(),
            (false, false) => format!("{title}\n\n{body}"),
        };
        if text.is_empty() {
            continue;
        }
        let mut r = Reflection::new(text, on, on.and_time(time).and_utc());
        r.tags = crate::reflection::normalise_tags(&e.tags);
        if r.written > imported {
            r.written = imported;
        }
        out.push(r);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reflection::ValueRating;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn tend_round_trip() {
        let mut r = Reflection::new(
            "Text",
            NaiveDate::from_ymd_opt(2026, 1, 2).expect("d"),
            now(),
        );
        r.values.push(ValueRating::new("equity", Some(3)));
        r.tags.push("pay".into());
        let rid = RecordId::from_bytes([0x5a; 16]);
        let export = Export::new(
            now(),
            vec![WithId::new(Some(7), Some(rid), r)],
            vec![],
            vec![],
        );
        let json = export.to_json();
        assert!(json.contains(&format!("\"record_id\": \"{rid}\"")));
        let back = Export::parse(&json).expect("parse");
        assert_eq!(back, export);
        let md = export.to_markdown();
        assert!(md.contains("equity (3)"));
        assert!(md.contains(&format!("· {}", rid.prefix(4))), "{md}");
    }

    #[test]
    fn an_export_from_before_record_ids_still_reads() {
        let old = r#"{"format":"tend-export","version":1,"exported":"2026-11-20T12:00:00Z",
            "reflections":[{"id":3,"on":"2026-01-02","written":"2026-11-20T12:00:00Z","text":"T"}]}"#;
        let doc = Export::parse(old).expect("an old export reads");
        assert_eq!(doc.reflections[0].id, Some(3));
        assert_eq!(doc.reflections[0].record_id, None);
        assert!(WithId::with_record_ids(&doc.reflections).is_none());
        let bad = old.replace(r#""id":3"#, r#""id":3,"record_id":"kbxq""#);
        assert!(
            Export::parse(&bad).is_err(),
            "a record id is all 32 letters"
        );
    }

    #[test]
    fn tend_export_errors() {
        assert!(matches!(
            Export::parse("{"),
            Err(ImportError::Json { line: 1, .. })
        ));
        assert!(matches!(
            Export::parse(r#"{"format":"other"}"#),
            Err(ImportError::NotTendExport(_))
        ));
        assert!(matches!(
            Export::parse(r#"{"format":"tend-export","version":99}"#),
            Err(ImportError::NewerVersion(99))
        ));
    }

    #[test]
    fn jrnl() {
        let json = r#"{"tags": {"@work": 1}, "entries": [
            {"title": "Circle day.", "body": "We shared the budget.", "date": "2024-05-01",
             "time": "09:30", "tags": ["@work"], "starred": false},
            {"title": "Only a title", "body": "", "date": "2024-05-02", "time": "21:00", "tags": []}
        ]}"#;
        let rs = parse_jrnl(json, now()).expect("jrnl");
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].text, "Circle day.\n\nWe shared the budget.");
        assert_eq!(rs[0].tags, vec!["work".to_owned()]);
        assert_eq!(rs[1].on, NaiveDate::from_ymd_opt(2024, 5, 2).expect("d"));
        let bad = r#"{"entries": [{"title": "x", "date": "May 1"}]}"#;
        assert!(matches!(
            parse_jrnl(bad, now()),
            Err(ImportError::JrnlEntry { index: 1, .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(s in ".{0,200}") {
            let _ = Export::parse(&s);
            let _ = parse_jrnl(&s, now());
        }
    }
}
