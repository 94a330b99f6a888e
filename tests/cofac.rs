//! A co-facilitated retreat end to end: two co-facilitators, a roster, members sharing into
//! a plan, the helper's batch, the leader's answer, both aggregate shares, and the summary,
//! which must equal the single-facilitator summary from the same journals; and every report
//! and batch the co-facilitators must refuse.
#![allow(clippy::unwrap_used)]

mod cofac_support;
mod common;
mod retreat_support;

use age::x25519::Identity;
use cofac_support::{
    Circle, Member, WHO_SEES_WHAT, crafted_key, crafted_report, five, sign_change_and_hand_over,
    single,
};
use retreat_support::member;
use serde_json::Value;
use tend_protocol::files::{B64, Batch, Report};

#[test]
fn five_members_give_the_single_facilitators_summary() {
    let members = five();
    let circle = Circle::new(&members, &[]);
    let mut files = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let preview = circle.share(m, &format!("r{i}.age"));
        assert!(preview.contains(WHO_SEES_WHAT), "{preview}");
        assert!(preview.contains(&circle.fingerprint()), "{preview}");
        files.push(format!("r{i}.age"));
    }
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let (_, cofac) = circle.run(&files, &[], "summary.json");
    let plain = single(&members, &circle.roster, "summary.json");
    let cofac: Value = serde_json::from_str(&cofac).unwrap();
    let plain: Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(cofac, plain);
    assert_eq!(cofac["members"], 5);
    // Something is shown, and Ada's excerpt carries the name the roster gives her.
    let text = cofac.to_string();
    assert!(
        text.contains("a hard week") && text.contains("we listened"),
        "{text}"
    );

    // Markdown and HTML from the same shares read the same as the single build's.
    for out in ["summary.md", "summary.html"] {
        let built = circle.leader_build(out, &[]);
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        let cofac = std::fs::read_to_string(circle.leader.env.path(out)).unwrap();
        assert_eq!(cofac, single(&members, &circle.roster, out), "{out}");
    }
}

/// A dishonest member's roster key, and the roster line for it.
#[test]
fn reports_the_helper_must_not_count_are_left_out_with_their_reason() {
    let members = five();
    let (key, line) = crafted_key();
    let circle = Circle::new(&members, &[line]);
    let mut files: Vec<String> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        circle.share(m, &format!("r{i}.age"));
        files.push(format!("r{i}.age"));
    }
    // Kai shares again: the later report replaces the earlier one.
    circle.share(&members[1], "r1-again.age");
    files.push("r1-again.age".into());
    // Someone not on the roster shares into the plan.
    let stranger = Member {
        env: member(&[&["outside", "-v", "equity=1"]]),
        name: "Stranger",
        extra: vec![],
    };
    std::fs::copy(
        circle.leader.env.path("plan.json"),
        stranger.env.path("plan.json"),
    )
    .unwrap();
    circle.share(&stranger, "stranger.age");
    files.push("stranger.age".into());
    // Quinn, on the roster, sends a measurement that passes parsing but not the proof.
    crafted_report(&circle, &members[0], &key, "crafted.age");
    files.push("crafted.age".into());
    // Quinn's report again, changed after it was signed (it now asks for a name).
    let plain = age::decrypt(
        &circle.helper.identity(),
        &std::fs::read(circle.helper.env.path("crafted.age")).unwrap(),
    )
    .unwrap();
    let report = Report::parse(&plain).unwrap();
    sign_change_and_hand_over(&circle, report, &key, "changed.age", |r| r.named = true);
    files.push("changed.age".into());
    // A file that is not a report at all.
    std::fs::write(circle.helper.env.path("garbage.age"), b"not an age file").unwrap();
    files.push("garbage.age".into());
    // Ola revokes her report.
    let list: Value =
        serde_json::from_str(&members[4].env.ok(&["consent", "list", "--json"])).unwrap();
    let id = list.as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    members[4]
        .env
        .ok(&["consent", "revoke", &id, "-o", "rev.age"]);
    circle
        .helper
        .receive(&members[4].env.path("rev.age"), "revocation.age");

    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let (said, summary) = circle.run(&refs, &["--revocations", "revocation.age"], "summary.json");
    assert!(
        said.contains("left out r1.age: replaced by a later report from the same member"),
        "{said}"
    );
    assert!(
        said.contains("left out stranger.age: not signed by a key on the roster"),
        "{said}"
    );
    assert!(
        said.contains("left out r4.age: its author revoked it"),
        "{said}"
    );
    assert!(
        said.contains("left out changed.age: its signature does not hold"),
        "{said}"
    );
    assert!(
        said.contains("left out garbage.age: could not be read"),
        "{said}"
    );
    // The crafted report reaches the leader, whose proof check refuses it; the helper's last
    // step names the file.
    let finish = circle.helper_share("again.age", &[]);
    let finish = String::from_utf8_lossy(&finish.stderr);
    assert!(
        finish.contains("left out crafted.age: its figures did not pass the check"),
        "{finish}"
    );
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["members"], 4, "Ada, Kai (once), Ngozi, Sam");
}

#[test]
fn small_batches_and_second_batches_are_refused_by_both() {
    let members = five();
    let circle = Circle::new(&members, &[]);
    for (i, m) in members.iter().enumerate() {
        circle.share(m, &format!("r{i}.age"));
    }
    // The helper refuses a batch of two.
    let out = circle.helper_batch(&["r0.age", "r1.age"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fewer than the plan's minimum group of 3"),
        "{err}"
    );
    assert!(!circle.helper.env.path("batch.age").exists());

    // A full batch goes through.
    circle.run(&["r2.age", "r3.age", "r4.age"], &[], "summary.json");

    // The same reports in a second batch: the helper leaves them out (and so has too few),
    // and the leader, shown the first batch again, refuses it.
    let out = circle.helper_batch(&["r2.age", "r3.age", "r4.age"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("this member's report was already aggregated"),
        "{err}"
    );
    assert!(
        err.contains("fewer than the plan's minimum group of 3"),
        "{err}"
    );
    let out = circle.leader_answer("batch.age");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("were aggregated before"), "{err}");
    assert_eq!(err.lines().count(), 2, "one line and a hint: {err}");

    // The leader refuses a batch of two (as a helper acting alone might send one).
    let leader = circle.leader.identity();
    let plain = age::decrypt(
        &leader,
        &std::fs::read(circle.leader.env.path("batch.age")).unwrap(),
    )
    .unwrap();
    let mut batch = Batch::parse(&plain).unwrap();
    batch.reports.truncate(2);
    for (i, r) in batch.reports.iter_mut().enumerate() {
        r.nonce = B64(vec![u8::try_from(i).unwrap(); 16]);
    }
    batch.batch = "00".repeat(16);
    let recipient: age::x25519::Recipient = circle.leader.recipient.parse().unwrap();
    std::fs::write(
        circle.leader.env.path("small.age"),
        age::encrypt(&recipient, &batch.to_json()).unwrap(),
    )
    .unwrap();
    let out = circle.leader_answer("small.age");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fewer than the plan's minimum group of 3"),
        "{err}"
    );
}

#[test]
fn neither_co_facilitators_inputs_hold_a_members_figures() {
    let members = five();
    let circle = Circle::new(&members, &[]);
    let files: Vec<String> = (0..5)
        .map(|i| {
            circle.share(&members[i], &format!("r{i}.age"));
            format!("r{i}.age")
        })
        .collect();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    circle.run(&refs, &[], "summary.json");
    let plan =
        tend_protocol::Plan::parse(&std::fs::read(circle.leader.env.path("plan.json")).unwrap())
            .unwrap();
    let len = plan.layout().unwrap().len();
    let (helper, leader): (Identity, Identity) =
        (circle.helper.identity(), circle.leader.identity());

    // The helper's material: each report, opened. Its own share is a seed far shorter than a
    // measurement, and the leader's share does not open with the helper's key.
    for f in &files {
        let plain =
            age::decrypt(&helper, &std::fs::read(circle.helper.env.path(f)).unwrap()).unwrap();
        let report = Report::parse(&plain).unwrap();
        assert!(
            report.helper_share.0.len() < len / 4,
            "{}",
            report.helper_share.0.len()
        );
        assert!(age::decrypt(&helper, &report.leader_share.0).is_err());
        for slot in &report.excerpts {
            assert!(
                age::decrypt(&helper, &slot.0).is_err(),
                "excerpts are sealed to the leader"
            );
        }
    }
    // The leader's material: the batch, opened, and each leader share in it: field elements,
    // almost none of them 0 or 1, while every entry of a measurement is one or the other.
    let plain = age::decrypt(
        &leader,
        &std::fs::read(circle.leader.env.path("batch.age")).unwrap(),
    )
    .unwrap();
    let batch = Batch::parse(&plain).unwrap();
    let text = String::from_utf8_lossy(&plain);
    assert!(!text.contains("ed25519:"), "the batch names no roster key");
    for entry in &batch.reports {
        let share = age::decrypt(&leader, &entry.leader_share.0).unwrap();
        let small = share
            .chunks(16)
            .take(len)
            .filter(|c| u128::from_le_bytes((*c).try_into().unwrap()) <= 1)
            .count();
        assert!(
            small < 4,
            "{small} of {len} entries look like a measurement's"
        );
    }
}
