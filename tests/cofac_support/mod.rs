//! What the co-facilitated tests share: five members, the two co-facilitators with their
//! roster and plan, each party's step through the real binary, the single-facilitator build
//! from the same journals, and reports crafted as a dishonest member would.
#![allow(dead_code, missing_debug_implementations, clippy::unwrap_used)]

use ed25519_dalek::{Signer, SigningKey};
use prio::codec::{Encode, ParameterizedDecode};
use tend_core::contribution::Contribution;
use tend_protocol::files::{B64, Report};

use crate::common::Env;
use crate::retreat_support::{Facilitator, PURPOSE, excerpts_by_place, member_with_ids};

pub const SINCE: &str = "2020-01-01";
pub const UNTIL: &str = "2030-12-31";
pub const WHO_SEES_WHAT: &str =
    "Neither co-facilitator alone can see your figures; together they see only everyone's totals.";

/// One member: their journal, their roster name, what they write and share.
pub struct Member {
    pub env: Env,
    pub name: &'static str,
    /// Extra flags for both kinds of share (excerpts, by handle; a name).
    pub extra: Vec<String>,
}

/// A member as written down here: their roster name, the arguments of each `tend write`,
/// and the extra flags of their shares (an `--excerpt` names a reflection by its place among
/// theirs, counting from 1; the member's share names it by its handle).
pub type Person = (
    &'static str,
    &'static [&'static [&'static str]],
    &'static [&'static str],
);

/// Five members whose figures differ enough for most figures to be shown.
pub fn five() -> Vec<Member> {
    let people: [Person; 5] = [
        (
            "Ada",
            &[
                &["first", "-v", "equity=4"],
                &["a hard week", "-v", "repair=2"],
            ],
            &["--excerpt", "2", "--name", "Ada"],
        ),
        (
            "Kai",
            &[
                &["second", "-v", "equity=3"],
                &["more", "-v", "equity=4", "-v", "repair=3"],
            ],
            &[],
        ),
        (
            "Ngozi",
            &[
                &["third", "-v", "equity=5"],
                &["we listened", "-v", "repair=4"],
            ],
            &["--excerpt", "2"],
        ),
        (
            "Sam",
            &[
                &["fourth", "-v", "equity=4"],
                &["quiet", "-v", "repair=3"],
                &["again", "-v", "equity=2"],
            ],
            &[],
        ),
        ("Ola", &[&["fifth", "-v", "equity=3"]], &[]),
    ];
    people
        .into_iter()
        .map(|(name, reflections, extra)| {
            let (env, ids) = member_with_ids(reflections);
            Member {
                env,
                name,
                extra: excerpts_by_place(extra, &ids),
            }
        })
        .collect()
}

/// The two co-facilitators, the roster and the plan, in both co-facilitators' folders.
pub struct Circle {
    pub leader: Facilitator,
    pub helper: Facilitator,
    pub roster: String,
}

impl Circle {
    pub fn new(members: &[Member], extra_lines: &[String]) -> Self {
        let leader = Facilitator::new();
        let helper = Facilitator::new();
        let mut roster: String = members
            .iter()
            .map(|m| {
                m.env
                    .ok(&["retreat", "join", "--purpose", PURPOSE, "--name", m.name])
                    .trim()
                    .to_owned()
                    + "\n"
            })
            .collect();
        for line in extra_lines {
            roster.push_str(line);
            roster.push('\n');
        }
        for f in [&leader, &helper] {
            std::fs::write(f.env.path("roster.txt"), &roster).unwrap();
        }
        let out = leader.env.ok(&[
            "retreat",
            "plan",
            "--purpose",
            PURPOSE,
            "--leader",
            &leader.recipient,
            "--helper",
            &helper.recipient,
            "--roster",
            "roster.txt",
            "-v",
            "equity",
            "-v",
            "repair",
            "--since",
            SINCE,
            "--until",
            UNTIL,
            "-o",
            "plan.json",
        ]);
        assert!(out.contains("Plan fingerprint: "), "{out}");
        helper.receive(&leader.env.path("plan.json"), "plan.json");
        for m in members {
            std::fs::copy(leader.env.path("plan.json"), m.env.path("plan.json")).unwrap();
        }
        Circle {
            leader,
            helper,
            roster,
        }
    }

    pub fn fingerprint(&self) -> String {
        let plan =
            tend_protocol::Plan::parse(&std::fs::read(self.leader.env.path("plan.json")).unwrap())
                .unwrap();
        plan.fingerprint()
    }

    /// A member's report, handed to the helper as `name`; returns the preview.
    pub fn share(&self, m: &Member, name: &str) -> String {
        let mut args = vec![
            "share",
            "--plan",
            "plan.json",
            "-o",
            "report.age",
            "--force",
            "--yes",
        ];
        args.extend(m.extra.iter().map(String::as_str));
        let out = m.env.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "share failed: {stderr}");
        self.helper.receive(&m.env.path("report.age"), name);
        stderr
    }

    pub fn helper_batch(&self, files: &[&str], extra: &[&str]) -> std::process::Output {
        let mut args = vec![
            "retreat",
            "aggregate",
            "--as",
            "helper",
            "-i",
            "key.txt",
            "--plan",
            "plan.json",
            "--ledger",
            "helper.ledger",
            "--roster",
            "roster.txt",
            "-o",
            "batch.age",
            "--state",
            "state.age",
            "--force",
        ];
        args.extend_from_slice(files);
        args.extend_from_slice(extra);
        self.helper.env.run(&args)
    }

    pub fn leader_answer(&self, batch: &str) -> std::process::Output {
        self.leader.env.run(&[
            "retreat",
            "aggregate",
            "--as",
            "leader",
            "-i",
            "key.txt",
            "--plan",
            "plan.json",
            "--ledger",
            "leader.ledger",
            batch,
            "-o",
            "answer.age",
            "--share",
            "leader-share.age",
            "--force",
        ])
    }

    /// The helper's last step: the leader's answer in, the helper's aggregate share (to
    /// `share`) out; names any report the leader's proof check refused.
    pub fn helper_share(&self, share: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec![
            "retreat",
            "aggregate",
            "--as",
            "helper",
            "-i",
            "key.txt",
            "--plan",
            "plan.json",
            "--ledger",
            "helper.ledger",
            "--answer",
            "answer.age",
            "--state",
            "state.age",
            "--share",
            share,
        ];
        args.extend_from_slice(extra);
        self.helper.env.run(&args)
    }

    /// The leader's build from both aggregate shares, into `out`.
    pub fn leader_build(&self, out: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec![
            "retreat",
            "build",
            "-i",
            "key.txt",
            "--plan",
            "plan.json",
            "--roster",
            "roster.txt",
            "leader-share.age",
            "helper-share.age",
            "-o",
            out,
        ];
        args.extend_from_slice(extra);
        self.leader.env.run(&args)
    }

    /// Helper's batch, leader's answer, helper's share, and the summary in `out` (built by
    /// the leader); returns the helper's first report (stderr) and the summary.
    pub fn run(&self, files: &[&str], extra: &[&str], out: &str) -> (String, String) {
        let made = self.helper_batch(files, extra);
        let helper_said = String::from_utf8_lossy(&made.stderr).into_owned();
        assert!(made.status.success(), "helper: {helper_said}");
        self.leader
            .receive(&self.helper.env.path("batch.age"), "batch.age");
        let answered = self.leader_answer("batch.age");
        assert!(
            answered.status.success(),
            "leader: {}",
            String::from_utf8_lossy(&answered.stderr)
        );
        self.helper
            .receive(&self.leader.env.path("answer.age"), "answer.age");
        let shared = self.helper_share("helper-share.age", &["--force"]);
        assert!(
            shared.status.success(),
            "helper's share: {}",
            String::from_utf8_lossy(&shared.stderr)
        );
        self.leader.receive(
            &self.helper.env.path("helper-share.age"),
            "helper-share.age",
        );
        let built = self.leader_build(out, &["--force"]);
        assert!(
            built.status.success(),
            "build: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        (
            helper_said,
            std::fs::read_to_string(self.leader.env.path(out)).unwrap(),
        )
    }
}

/// The single-facilitator summary (in `out`) from the same journals and the same roster.
pub fn single(members: &[Member], roster: &str, out: &str) -> String {
    let fac = Facilitator::new();
    std::fs::write(fac.env.path("roster.txt"), roster).unwrap();
    let mut files = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let mut args = vec![
            "share",
            "--purpose",
            PURPOSE,
            "--to",
            &fac.recipient,
            "-v",
            "equity",
            "-v",
            "repair",
            "--since",
            SINCE,
            "--until",
            UNTIL,
            "-o",
            "single.age",
            "--force",
            "--yes",
        ];
        args.extend(m.extra.iter().map(String::as_str));
        m.env.ok(&args);
        files.push(fac.receive(&m.env.path("single.age"), &format!("m{i}.age")));
    }
    let mut args = vec!["roster.txt", "-o", out, "--force"];
    args.splice(0..0, ["--roster"]);
    let mut all: Vec<&str> = files.iter().map(String::as_str).collect();
    all.extend(args);
    let built = fac.build(&all, &[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    std::fs::read_to_string(fac.env.path(out)).unwrap()
}

pub fn crafted_key() -> (SigningKey, String) {
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let public: String = key
        .verifying_key()
        .to_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let line = format!("ed25519:{public} Quinn");
    (key, line)
}

/// A report whose leader share carries 200 in one entry of the measurement: it parses, it
/// is signed by a roster key, and only the proof can tell.
pub fn crafted_report(circle: &Circle, honest: &Member, key: &SigningKey, name: &str) {
    let plan =
        tend_protocol::Plan::parse(&std::fs::read(circle.leader.env.path("plan.json")).unwrap())
            .unwrap();
    let json = honest.env.ok(&[
        "share",
        "--purpose",
        PURPOSE,
        "-v",
        "equity",
        "-v",
        "repair",
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "--preview-json",
    ]);
    let contribution = Contribution::parse(json.as_bytes()).unwrap();
    let mut report = tend_protocol::roles::member_report(&plan, &contribution, 1).unwrap();
    let leader = circle.leader.identity();
    let share = age::decrypt(&leader, &report.leader_share.0).unwrap();
    let len = plan.layout().unwrap().len();
    let vdaf = prio::vdaf::prio3::Prio3SumVec::new_sum_vec(
        2,
        1,
        len,
        prio::vdaf::prio3::optimal_chunk_length(len),
    )
    .unwrap();
    let decoded =
        prio::vdaf::prio3::Prio3InputShare::<prio::field::Field128, 32>::get_decoded_with_param(
            &(&vdaf, 0),
            &share,
        )
        .unwrap();
    let mut bytes = decoded.get_encoded().unwrap();
    bytes[0] = bytes[0].wrapping_add(199);
    prio::vdaf::prio3::Prio3InputShare::<prio::field::Field128, 32>::get_decoded_with_param(
        &(&vdaf, 0),
        &bytes,
    )
    .expect("the crafted share still parses");
    let recipient: age::x25519::Recipient = circle.leader.recipient.parse().unwrap();
    report.leader_share = B64(age::encrypt(&recipient, &bytes).unwrap());
    sign_and_hand_over(circle, report, key, name);
}

pub fn sign_and_hand_over(circle: &Circle, report: Report, key: &SigningKey, name: &str) {
    sign_change_and_hand_over(circle, report, key, name, |_| {});
}

/// Signs `report` with `key`, then lets `change` alter it, and seals it to the helper.
pub fn sign_change_and_hand_over(
    circle: &Circle,
    mut report: Report,
    key: &SigningKey,
    name: &str,
    change: impl Fn(&mut Report),
) {
    report.signer = format!(
        "ed25519:{}",
        key.verifying_key()
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let signature = key.sign(&report.signed_bytes()).to_bytes();
    report.signature = signature.iter().map(|b| format!("{b:02x}")).collect();
    change(&mut report);
    let helper: age::x25519::Recipient = circle.helper.recipient.parse().unwrap();
    std::fs::write(
        circle.helper.env.path(name),
        age::encrypt(&helper, &report.to_json()).unwrap(),
    )
    .unwrap();
}
