//! What the share and retreat tests have in common: a facilitator with a key made by
//! `tend retreat keygen`, members with journals and reflections, and ways to open what they
//! share without going through tend.
#![allow(dead_code, missing_debug_implementations, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::Env;

pub mod craft;

/// The purpose most tests share for.
pub const PURPOSE: &str = "Spring retreat 2026";

/// A facilitator: a folder of their own (no journal) with an identity made by tend.
pub struct Facilitator {
    pub env: Env,
    pub key: PathBuf,
    pub recipient: String,
}

impl Facilitator {
    pub fn new() -> Self {
        let env = Env::new();
        let out = env.ok(&["retreat", "keygen", "-o", "key.txt"]);
        let recipient = out.trim().to_owned();
        assert!(recipient.starts_with("age1"), "{out}");
        let key = env.path("key.txt");
        Self {
            env,
            key,
            recipient,
        }
    }

    /// The identity, read by the age library rather than by tend.
    pub fn identity(&self) -> age::x25519::Identity {
        let text = std::fs::read_to_string(&self.key).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .unwrap();
        line.parse().unwrap()
    }

    /// Opens an age file with the age library (binary or armored).
    pub fn open(&self, path: &Path) -> Vec<u8> {
        age::decrypt(&self.identity(), &std::fs::read(path).unwrap()).unwrap()
    }

    /// Copies a file a member handed over into the facilitator's folder, under `name`.
    pub fn receive(&self, from: &Path, name: &str) -> String {
        std::fs::copy(from, self.env.path(name)).unwrap();
        name.to_owned()
    }

    /// Seals `bytes` to this facilitator with the age library: a file tend did not make.
    pub fn seal_foreign(&self, name: &str, bytes: &[u8]) -> String {
        let recipient: age::x25519::Recipient = self.recipient.parse().unwrap();
        let sealed = age::encrypt(&recipient, bytes).unwrap();
        std::fs::write(self.env.path(name), sealed).unwrap();
        name.to_owned()
    }

    /// `tend retreat build -i key.txt FILES… EXTRA…`, whatever the outcome.
    pub fn build(&self, files: &[&str], extra: &[&str]) -> Output {
        let mut args = vec!["retreat", "build", "-i", "key.txt"];
        args.extend_from_slice(files);
        args.extend_from_slice(extra);
        self.env.run(&args)
    }

    /// Builds, requires success, and returns (the summary written to `out`, the report).
    pub fn build_ok(&self, files: &[&str], out: &str, extra: &[&str]) -> (String, String) {
        let mut all = vec!["-o", out, "--force"];
        all.extend_from_slice(extra);
        let output = self.build(files, &all);
        let report = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "build failed: {report}");
        let summary = std::fs::read_to_string(self.env.path(out)).unwrap();
        (summary, report)
    }

    /// Builds the JSON summary.
    pub fn build_json(&self, files: &[&str], extra: &[&str]) -> (serde_json::Value, String) {
        let (text, report) = self.build_ok(files, "summary.json", extra);
        (serde_json::from_str(&text).unwrap(), report)
    }
}

/// A member with a journal holding `reflections`, each the arguments of one `tend write`.
pub fn member(reflections: &[&[&str]]) -> Env {
    member_with_ids(reflections).0
}

/// A member as [`member`] makes one, and the handles of their reflections, in the order
/// they were written.
pub fn member_with_ids(reflections: &[&[&str]]) -> (Env, Vec<String>) {
    let env = Env::with_journal();
    let ids = reflections.iter().map(|args| env.write(args)).collect();
    (env, ids)
}

/// `flags` with the number after each `--excerpt` (a reflection's place among the member's
/// own, counting from 1, as in `ids`) replaced by that reflection's handle.
pub fn excerpts_by_place(flags: &[&str], ids: &[String]) -> Vec<String> {
    flags
        .iter()
        .enumerate()
        .map(|(i, flag)| {
            if i > 0 && flags[i - 1] == "--excerpt" {
                let place: usize = flag.parse().unwrap();
                ids[place - 1].clone()
            } else {
                (*flag).to_owned()
            }
        })
        .collect()
}

/// `tend share --purpose PURPOSE --to RECIPIENT -o FILE --yes EXTRA…`; returns the file and
/// what was printed on stderr (the preview).
pub fn share(member: &Env, to: &str, file: &str, extra: &[&str]) -> (PathBuf, String) {
    let mut args = vec![
        "share",
        "--purpose",
        PURPOSE,
        "--to",
        to,
        "-o",
        file,
        "--yes",
    ];
    args.extend_from_slice(extra);
    let out = member.run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "share failed: {stderr}");
    (member.path(file), stderr)
}

/// The reference `age` tool, which CI installs. Its absence fails the test loudly rather
/// than skipping it: the promise that facilitators can use it is one the tests must keep.
pub fn reference_age() -> &'static str {
    let found = std::process::Command::new("age")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "the reference `age` tool is not installed, and this test needs it: run \
         scripts/install-test-tools.sh (it installs Debian's package `age`), then test again"
    );
    "age"
}

/// `age -d -i KEY FILE` with the reference tool; returns the plaintext.
pub fn age_decrypt(key: &Path, file: &Path) -> Vec<u8> {
    let out = std::process::Command::new(reference_age())
        .arg("-d")
        .arg("-i")
        .arg(key)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The summary's entry for the value `id`, if it shows one.
pub fn value<'a>(summary: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    summary["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
}

/// A value's rating counts in a summary, in the summary's order.
pub fn rating_counts(value: &serde_json::Value) -> Vec<serde_json::Value> {
    value["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].clone())
        .collect()
}
