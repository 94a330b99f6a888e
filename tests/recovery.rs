//! Recovery through trusted members, end to end: k of n trustees bring a journal back whose
//! passphrase is lost; fewer, damaged, foreign and outdated shares are refused by name; a
//! new setup leaves old shares opening nothing in the current file.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use age::secrecy::ExposeSecret;
use common::{Env, PASSPHRASE};
use tend_store::recovery::Share;

const NEW_PASSPHRASE: &str = "a new path through the garden";

struct Person {
    name: String,
    key: PathBuf,
    identity: age::x25519::Identity,
}

impl Person {
    fn recipient(&self) -> String {
        self.identity.to_public().to_string()
    }
}

fn person(env: &Env, name: &str) -> Person {
    let key = env.path(&format!("{}.key", name.to_lowercase()));
    let identity = age::x25519::Identity::generate();
    std::fs::write(&key, format!("{}\n", identity.to_string().expose_secret())).unwrap();
    Person {
        name: name.to_owned(),
        key,
        identity,
    }
}

fn trustees(env: &Env, names: &[&str]) -> Vec<Person> {
    names.iter().map(|n| person(env, n)).collect()
}

fn run(env: &Env, args: &[&str]) -> Output {
    env.cmd().args(args).output().unwrap()
}

fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: &Output, what: &str) -> String {
    assert!(
        !out.status.success(),
        "{what} should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `tend recovery setup` into a fresh folder; the share files, in the trustees' order.
fn setup(env: &Env, k: u8, people: &[Person], folder: &str) -> (String, Vec<PathBuf>) {
    let dir = env.path(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let mut args = vec![
        "recovery".to_owned(),
        "setup".into(),
        "--threshold".into(),
        k.to_string(),
        "--member".into(),
        "Ana".into(),
        "--out".into(),
        dir.display().to_string(),
    ];
    for p in people {
        args.push("--trustee".into());
        args.push(format!("{}={}", p.name, p.recipient()));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let stdout = ok(&run(env, &refs), "setup");
    let files = people
        .iter()
        .map(|p| {
            let needle = format!("-for-{}-", p.name.to_lowercase());
            std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .find(|f| f.file_name().unwrap().to_string_lossy().contains(&needle))
                .unwrap_or_else(|| panic!("no share file for {}", p.name))
        })
        .collect();
    (stdout, files)
}

/// A trustee releases their share to `to`; returns the released file and what was shown.
fn release(env: &Env, share: &Path, trustee: &Person, to: &Person) -> (PathBuf, String) {
    let out_file = env.path(&format!(
        "released-{}-{}.age",
        trustee.name.to_lowercase(),
        rand_tag()
    ));
    let out = run(
        env,
        &[
            "recovery",
            "release",
            share.to_str().unwrap(),
            "-i",
            trustee.key.to_str().unwrap(),
            "--to",
            &to.recipient(),
            "--out",
            out_file.to_str().unwrap(),
            "--yes",
        ],
    );
    ok(&out, "release");
    (out_file, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn rand_tag() -> String {
    use rand::RngCore;
    format!("{:08x}", rand::rngs::OsRng.next_u32())
}

/// `tend recovery restore` as a member who no longer has the passphrase: no passphrase file
/// in the environment at all.
fn restore(env: &Env, journal: &Path, shares: &[&Path], key: &Path, extra: &[&str]) -> Output {
    let newpass = env.file("new-passphrase", &format!("{NEW_PASSPHRASE}\n"));
    let mut args = vec![
        "recovery".to_owned(),
        "restore".into(),
        journal.display().to_string(),
    ];
    args.extend(shares.iter().map(|s| s.display().to_string()));
    args.extend([
        "-i".into(),
        key.display().to_string(),
        "--new-passphrase-file".into(),
        newpass.display().to_string(),
        "--no-new-set".into(),
        "--yes".into(),
    ]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    env.cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .args(&args)
        .output()
        .unwrap()
}

/// A journal with reflections, a commitment and a repair in it.
fn journal_with_life(env: &Env) {
    env.ok(&["write", "Asked who had not spoken yet.", "-v", "equity=4"]);
    env.ok(&[
        "write",
        "Shared the budget before the meeting.",
        "-t",
        "money",
    ]);
    env.ok(&["write", "Noticed I talked over Sam; said so after."]);
    env.ok(&["commit", "add", "Rotate who facilitates the weekly meeting"]);
}

fn with_new_passphrase(env: &Env) {
    std::fs::write(&env.pass_file, format!("{NEW_PASSPHRASE}\n")).unwrap();
}

fn with_old_passphrase(env: &Env) {
    std::fs::write(&env.pass_file, format!("{PASSPHRASE}\n")).unwrap();
}

fn recover_and_compare(k: u8, names: &[&str], releasing: &[usize]) {
    let env = Env::with_journal();
    journal_with_life(&env);
    let before = env.snapshot();
    let people = trustees(&env, names);
    let (_, shares) = setup(&env, k, &people, "shares");
    let ana = person(&env, "Ana-new");
    let released: Vec<PathBuf> = releasing
        .iter()
        .map(|&i| release(&env, &shares[i], &people[i], &ana).0)
        .collect();
    let refs: Vec<&Path> = released.iter().map(PathBuf::as_path).collect();
    let out = restore(&env, &env.journal, &refs, &ana.key, &[]);
    let said = ok(&out, "restore");
    assert!(
        said.contains("everything is there: 3 reflections"),
        "{said}"
    );
    // The lost passphrase opens nothing now; the new one opens everything there was.
    let refused = failed(&run(&env, &["list"]), "the old passphrase");
    assert!(refused.contains("passphrase does not open"), "{refused}");
    with_new_passphrase(&env);
    assert_eq!(env.snapshot(), before);
    let status = env.ok(&["recovery", "status"]);
    assert!(
        status.contains("no recovery set"),
        "the spent set is gone: {status}"
    );
    // The same shares do not open it a second time.
    with_old_passphrase(&env);
    let again = failed(
        &restore(&env, &env.journal, &refs, &ana.key, &[]),
        "a second restore",
    );
    assert!(again.contains("open nothing in this journal"), "{again}");
}

#[test]
fn two_of_three_restore_a_journal_whose_passphrase_is_lost() {
    recover_and_compare(2, &["Bo", "Cy", "Di"], &[2, 0]);
}

#[test]
fn three_of_five_restore_a_journal_whose_passphrase_is_lost() {
    recover_and_compare(3, &["Bo", "Cy", "Di", "Ed", "Fa"], &[4, 1, 3]);
}

#[test]
fn fewer_than_k_shares_refuse_clearly_and_change_nothing() {
    let env = Env::with_journal();
    journal_with_life(&env);
    let before = env.snapshot();
    let people = trustees(&env, &["Bo", "Cy", "Di", "Ed", "Fa"]);
    let (_, shares) = setup(&env, 3, &people, "shares");
    let ana = person(&env, "Ana-new");
    let a = release(&env, &shares[0], &people[0], &ana).0;
    let b = release(&env, &shares[3], &people[3], &ana).0;
    let err = failed(
        &restore(&env, &env.journal, &[&a, &b], &ana.key, &[]),
        "two of three",
    );
    assert!(
        err.contains("these are 2 of the 3 shares this recovery set needs; 1 more"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    let one = failed(
        &restore(&env, &env.journal, &[&a], &ana.key, &[]),
        "one of three",
    );
    assert!(one.contains("this is 1 of the 3 shares"), "{one}");
    // The same share twice is still one share.
    let twice = failed(
        &restore(&env, &env.journal, &[&a, &b, &a], &ana.key, &[]),
        "a share twice",
    );
    assert!(twice.contains("is the same share as"), "{twice}");
    assert_eq!(env.snapshot(), before);
    assert!(env.ok(&["recovery", "status"]).contains("any 3 of 5"));
}

#[test]
fn a_damaged_share_is_named() {
    let env = Env::with_journal();
    let people = trustees(&env, &["Bo", "Cy", "Di"]);
    let (_, shares) = setup(&env, 2, &people, "shares");
    let ana = person(&env, "Ana-new");
    let good = release(&env, &shares[0], &people[0], &ana).0;
    let cy = release(&env, &shares[1], &people[1], &ana).0;

    // Bytes changed in transit: the age seal names it.
    let mut bytes = std::fs::read(&cy).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let flipped = env.path("flipped.age");
    std::fs::write(&flipped, &bytes).unwrap();
    let err = failed(
        &restore(&env, &env.journal, &[&good, &flipped], &ana.key, &[]),
        "a flipped byte",
    );
    assert!(err.contains("flipped.age"), "{err}");
    assert!(err.contains("damaged"), "{err}");

    // Cut short.
    let cut = env.path("cut.age");
    std::fs::write(&cut, &std::fs::read(&cy).unwrap()[..200]).unwrap();
    let err = failed(
        &restore(&env, &env.journal, &[&good, &cut], &ana.key, &[]),
        "a cut share",
    );
    assert!(err.contains("cut.age") && err.contains("damaged"), "{err}");

    // A value changed by someone who could open the share (the trustee): sealed again to
    // the member, it fails its own commitment.
    let opened = open_as(&cy, &ana);
    let mut doc: serde_json::Value = serde_json::from_slice(&opened.to_json()).unwrap();
    let y = doc["y"].as_str().unwrap().to_owned();
    let changed = format!("{}{}", if y.starts_with('0') { "1" } else { "0" }, &y[1..]);
    doc["y"] = changed.clone().into();
    let forged = env.path("changed.age");
    std::fs::write(&forged, seal_json(&doc, &ana)).unwrap();
    let err = failed(
        &restore(&env, &env.journal, &[&good, &forged], &ana.key, &[]),
        "a changed value",
    );
    assert!(err.contains("changed.age"), "{err}");
    assert!(
        err.contains("does not match what its set recorded for it"),
        "{err}"
    );

    // Changed with care (its own commitment made to match): it then disagrees with its set;
    // with three shares, the odd one is named.
    let di = release(&env, &shares[2], &people[2], &ana).0;
    let mut list = doc["commitments"].as_array().unwrap().clone();
    let x = doc["x"].as_u64().unwrap() as usize;
    list[x - 1] = commitment_hex(&doc, &changed).into();
    doc["commitments"] = list.into();
    let careful = env.path("careful.age");
    std::fs::write(&careful, seal_json(&doc, &ana)).unwrap();
    let err = failed(
        &restore(&env, &env.journal, &[&good, &careful, &di], &ana.key, &[]),
        "a careful forgery",
    );
    assert!(
        err.contains("careful.age") && err.contains("damaged or forged"),
        "{err}"
    );
    let err = failed(
        &restore(&env, &env.journal, &[&good, &careful], &ana.key, &[]),
        "a careful forgery, two shares",
    );
    assert!(err.contains("disagree about their set"), "{err}");

    // Not a share at all.
    let junk = env.file("junk.age", "hello");
    let err = failed(
        &restore(&env, &env.journal, &[&good, &junk], &ana.key, &[]),
        "junk",
    );
    assert!(
        err.contains("junk.age") && err.contains("not a tend recovery share"),
        "{err}"
    );
    // The trustee's copy, damaged, is named when they try to release it.
    let mut bytes = std::fs::read(&shares[1]).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&shares[1], &bytes).unwrap();
    let out = run(
        &env,
        &[
            "recovery",
            "release",
            shares[1].to_str().unwrap(),
            "-i",
            people[1].key.to_str().unwrap(),
            "--to",
            &ana.recipient(),
            "--yes",
        ],
    );
    let err = failed(&out, "releasing a damaged share");
    assert!(err.contains(&*shares[1].to_string_lossy()), "{err}");
    assert!(err.contains("damaged"), "{err}");
}

/// Opens a released share as the member would.
fn open_as(file: &Path, who: &Person) -> Share {
    Share::open(
        &std::fs::read(file).unwrap(),
        std::slice::from_ref(&who.identity),
    )
    .unwrap()
}

fn seal_json(doc: &serde_json::Value, to: &Person) -> Vec<u8> {
    let json = serde_json::to_vec(doc).unwrap();
    age::encrypt_and_armor(&to.identity.to_public(), &json)
        .unwrap()
        .into_bytes()
}

/// The commitment the format defines (docs/recovery.md), for a forger who knows it.
fn commitment_hex(doc: &serde_json::Value, y: &str) -> String {
    use sha2::Digest;
    let unhex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let mut h = sha2::Sha256::new();
    h.update(b"tend recovery share v1\0");
    h.update(unhex(doc["set"].as_str().unwrap()));
    h.update(unhex(doc["journal"].as_str().unwrap()));
    h.update([
        doc["threshold"].as_u64().unwrap() as u8,
        doc["shares"].as_u64().unwrap() as u8,
        doc["x"].as_u64().unwrap() as u8,
    ]);
    h.update(unhex(y));
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_share_from_another_journal_or_an_older_set_is_refused() {
    let env = Env::with_journal();
    journal_with_life(&env);
    let people = trustees(&env, &["Bo", "Cy", "Di"]);
    let ana = person(&env, "Ana-new");
    let (_, old) = setup(&env, 2, &people, "old-shares");
    let old_bo = release(&env, &old[0], &people[0], &ana).0;
    let old_cy = release(&env, &old[1], &people[1], &ana).0;
    let copy_before = env.path("journal-copy-before.tend");
    std::fs::copy(&env.journal, &copy_before).unwrap();

    let (said, new) = setup(&env, 2, &people, "new-shares");
    assert!(said.contains("is replaced"), "{said}");
    assert!(said.contains("open nothing in this file"), "{said}");
    let new_di = release(&env, &new[2], &people[2], &ana).0;

    // An old share among new ones is refused by name.
    let err = failed(
        &restore(&env, &env.journal, &[&old_bo, &new_di], &ana.key, &[]),
        "old and new",
    );
    assert!(err.contains("belongs to another recovery set"), "{err}");
    assert!(
        err.contains("Bo's share") || err.contains("Di's share"),
        "{err}"
    );
    // Old shares, all of one set, combine — but open nothing in the current file.
    let err = failed(
        &restore(&env, &env.journal, &[&old_bo, &old_cy], &ana.key, &[]),
        "the old set",
    );
    assert!(err.contains("open nothing in this journal"), "{err}");
    assert!(
        err.contains("newer `tend recovery setup` replaced"),
        "{err}"
    );
    // Nor does the old set's identity open any age header carved from the current file,
    // while it does open the copy made before the new setup (the threat model says so).
    let old_identity =
        tend_store::recovery::combine(&[open_as(&old_bo, &ana), open_as(&old_cy, &ana)]).unwrap();
    assert_eq!(
        headers_opened(&std::fs::read(&env.journal).unwrap(), &old_identity),
        0
    );
    assert_eq!(
        headers_opened(&std::fs::read(&copy_before).unwrap(), &old_identity),
        1
    );
    let out = restore(&env, &copy_before, &[&old_bo, &old_cy], &ana.key, &[]);
    ok(&out, "the old shares on the old copy");

    // Another journal's share.
    let other = Env::with_journal();
    let other_people = trustees(&other, &["Bo", "Cy"]);
    let (_, theirs) = setup(&other, 2, &other_people, "shares");
    let foreign = release(&other, &theirs[0], &other_people[0], &ana).0;
    let foreign_b = release(&other, &theirs[1], &other_people[1], &ana).0;
    let err = failed(
        &restore(&env, &env.journal, &[&new_di, &foreign], &ana.key, &[]),
        "another journal's share",
    );
    assert!(err.contains("is a share for another journal"), "{err}");
    assert!(err.contains(&*foreign.to_string_lossy()), "{err}");
    let err = failed(
        &restore(&env, &env.journal, &[&foreign, &foreign_b], &ana.key, &[]),
        "another journal's set",
    );
    assert!(err.contains("is a share for another journal"), "{err}");
    // The current journal still opens with its passphrase, untouched.
    assert!(env.ok(&["recovery", "status"]).contains("any 2 of 3"));
}

/// How many age headers carved from `file` the identity opens.
fn headers_opened(file: &[u8], identity: &age::x25519::Identity) -> usize {
    let magic = b"age-encryption.org/v1\n";
    let mut n = 0;
    let mut at = 0;
    while let Some(pos) = file[at..].windows(magic.len()).position(|w| w == magic) {
        let start = at + pos;
        at = start + 1;
        let end = (start + 400).min(file.len());
        for cut in (start + 100..end).rev() {
            if let Ok(d) = age::Decryptor::new(&file[start..cut])
                && d.decrypt(std::iter::once(identity as &dyn age::Identity))
                    .is_ok()
            {
                n += 1;
                break;
            }
        }
    }
    n
}

#[test]
fn a_trustee_sees_whose_share_it_is_before_releasing() {
    let env = Env::with_journal();
    let people = trustees(&env, &["Bo", "Cy", "Di"]);
    let (said, shares) = setup(&env, 2, &people, "shares");
    let fingerprint = said
        .lines()
        .find_map(|l| l.strip_prefix("Journal fingerprint: "))
        .unwrap()
        .to_owned();
    assert!(env.ok(&["recovery", "status"]).contains(&fingerprint));
    let ana = person(&env, "Ana-new");
    let (released, shown) = release(&env, &shares[1], &people[1], &ana);
    assert!(
        shown.contains("This is Cy's share of Ana's recovery set"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("fingerprint {fingerprint}")),
        "{shown}"
    );
    assert!(shown.contains("share 2 of 3; any 2 together"), "{shown}");
    assert!(shown.contains(&ana.recipient()), "{shown}");
    let opened = open_as(&released, &ana);
    assert_eq!(
        (opened.trustee.as_str(), opened.member.as_str()),
        ("Cy", "Ana")
    );

    // Without --yes and without a terminal, nothing is released.
    let out_file = env.path("never.age");
    let out = run(
        &env,
        &[
            "recovery",
            "release",
            shares[0].to_str().unwrap(),
            "-i",
            people[0].key.to_str().unwrap(),
            "--to",
            &ana.recipient(),
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    let err = failed(&out, "release without yes");
    assert!(err.contains("needs your yes"), "{err}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("This is Bo's share"));
    assert!(!out_file.exists());
    // Someone else's key does not open Bo's share, and says so by name.
    let out = run(
        &env,
        &[
            "recovery",
            "release",
            shares[0].to_str().unwrap(),
            "-i",
            people[2].key.to_str().unwrap(),
            "--to",
            &ana.recipient(),
            "--yes",
        ],
    );
    let err = failed(&out, "release with the wrong key");
    assert!(err.contains("is not sealed to the identity given"), "{err}");
    // A trustee's share does not open with the member's new key before it is released.
    let err = failed(
        &restore(&env, &env.journal, &[&shares[0], &shares[1]], &ana.key, &[]),
        "unreleased shares",
    );
    assert!(err.contains("is not sealed to the identity given"), "{err}");
}

#[test]
fn setup_refuses_what_would_not_protect_anyone_and_changes_nothing() {
    let env = Env::with_journal();
    let people = trustees(&env, &["Bo", "Cy", "Di"]);
    let t = |p: &Person| format!("{}={}", p.name, p.recipient());
    let base = ["recovery", "setup", "--member", "Ana"];
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "-k".into(),
                "1".into(),
                "--trustee".into(),
                t(&people[0]),
                "--trustee".into(),
                t(&people[1]),
            ],
            "at least 2",
        ),
        (
            vec![
                "-k".into(),
                "3".into(),
                "--trustee".into(),
                t(&people[0]),
                "--trustee".into(),
                t(&people[1]),
            ],
            "only 2 trustees",
        ),
        (
            vec![
                "-k".into(),
                "2".into(),
                "--trustee".into(),
                t(&people[0]),
                "--trustee".into(),
                format!("Cy={}", people[0].recipient()),
            ],
            "have the same key",
        ),
        (
            vec![
                "-k".into(),
                "2".into(),
                "--trustee".into(),
                t(&people[0]),
                "--trustee".into(),
                t(&people[0]),
            ],
            "named twice",
        ),
        (
            vec![
                "-k".into(),
                "2".into(),
                "--trustee".into(),
                "Bo age1nope".into(),
            ],
            "is not NAME=age1",
        ),
        (
            vec![
                "-k".into(),
                "2".into(),
                "--trustee".into(),
                "Bo=age1nope".into(),
            ],
            "is not an age recipient",
        ),
        (vec!["-k".into(), "2".into()], "needs trustees"),
    ];
    for (extra, expected) in cases {
        let mut args: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
        args.extend(extra);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = failed(&run(&env, &refs), expected);
        assert!(err.contains(expected), "{expected}: {err}");
        assert!(err.contains("hint:"), "{err}");
    }
    let no_member = run(
        &env,
        &[
            "recovery",
            "setup",
            "-k",
            "2",
            "--trustee",
            &t(&people[0]),
            "--trustee",
            &t(&people[1]),
        ],
    );
    assert!(failed(&no_member, "no member").contains("--member NAME"));
    assert!(env.ok(&["recovery", "status"]).contains("no recovery set"));
    assert_eq!(env.ok(&["key", "list"]).lines().count(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("tend-recovery-")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A trustees file works, and names its bad line.
    let file = env.file(
        "trustees.txt",
        &format!("# my circle\n{}\n\n{}\n", t(&people[0]), t(&people[2])),
    );
    let out = run(
        &env,
        &[
            "recovery",
            "setup",
            "-k",
            "2",
            "--member",
            "Ana",
            "--trustees-file",
            file.to_str().unwrap(),
        ],
    );
    assert!(ok(&out, "trustees file").contains("any 2 of your 2 trustees"));
    let bad = env.file("bad.txt", &format!("{}\nDi: age1\n", t(&people[0])));
    let err = failed(
        &run(
            &env,
            &[
                "recovery",
                "setup",
                "-k",
                "2",
                "--trustees-file",
                bad.to_str().unwrap(),
            ],
        ),
        "a bad trustees file",
    );
    assert!(err.contains("bad.txt line 2"), "{err}");
}

#[test]
fn status_follows_the_set_and_says_when_it_no_longer_opens() {
    let env = Env::with_journal();
    let people = trustees(&env, &["Bo", "Cy", "Di"]);
    setup(&env, 2, &people, "shares");
    let status = env.ok(&["recovery", "status"]);
    assert!(status.contains("for Ana"), "{status}");
    assert!(status.contains("any 2 of 3 trustees"), "{status}");
    for p in &people {
        assert!(
            status.contains(&p.name) && status.contains(&p.recipient()),
            "{status}"
        );
    }
    let unlocker = status
        .lines()
        .find_map(|l| l.strip_prefix("It opens the journal as unlocker "))
        .unwrap()
        .trim_end_matches('.')
        .to_owned();
    env.ok(&["key", "remove", &unlocker]);
    let status = env.ok(&["recovery", "status"]);
    assert!(status.contains("no longer open this journal"), "{status}");
    // Setting up again makes a working set; the member's name is remembered.
    let out = run(
        &env,
        &[
            "recovery",
            "setup",
            "-k",
            "2",
            "--trustee",
            &format!("Bo={}", people[0].recipient()),
            "--trustee",
            &format!("Cy={}", people[1].recipient()),
        ],
    );
    assert!(ok(&out, "setup again").contains("for Ana"));
    assert!(env.ok(&["recovery", "status"]).contains("any 2 of 2"));
}

#[test]
fn restore_asks_first_and_can_make_the_next_set() {
    let env = Env::with_journal();
    journal_with_life(&env);
    let people = trustees(&env, &["Bo", "Cy", "Di"]);
    let (_, shares) = setup(&env, 2, &people, "shares");
    let ana = person(&env, "Ana-new");
    let a = release(&env, &shares[0], &people[0], &ana).0;
    let b = release(&env, &shares[1], &people[1], &ana).0;
    // Without --yes and no terminal: nothing changes.
    let out = env
        .cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .args([
            "recovery",
            "restore",
            env.journal.to_str().unwrap(),
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "-i",
            ana.key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(failed(&out, "restore without yes").contains("needs your yes"));
    assert!(env.ok(&["recovery", "status"]).contains("any 2 of 3"));
    // With --new-set, the same trustees get a new set at once.
    let next = env.path("next-set");
    std::fs::create_dir_all(&next).unwrap();
    let newpass = env.file("np", &format!("{NEW_PASSPHRASE}\n"));
    let out = env
        .cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .args([
            "recovery",
            "restore",
            env.journal.to_str().unwrap(),
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "-i",
            ana.key.to_str().unwrap(),
            "--new-passphrase-file",
            newpass.to_str().unwrap(),
            "--new-set",
            next.to_str().unwrap(),
            "--yes",
        ])
        .output()
        .unwrap();
    let said = ok(&out, "restore with a new set");
    assert!(said.contains("Made recovery set"), "{said}");
    assert_eq!(std::fs::read_dir(&next).unwrap().count(), 3);
    with_new_passphrase(&env);
    let status = env.ok(&["recovery", "status"]);
    assert!(
        status.contains("any 2 of 3") && status.contains("Di"),
        "{status}"
    );
    // The old passphrase unlocker and the spent set's are gone: the new passphrase and the
    // new set's unlocker remain.
    let keys = env.ok(&["key", "list"]);
    assert_eq!(keys.lines().count(), 2, "{keys}");
}
