//! Two devices, each with its own folder, kept in step by two real Syncthing instances on
//! loopback (Debian's `syncthing`, installed by scripts/install-test-tools.sh). Each
//! instance has its own home and ports on 127.0.0.1, knows the other by its device id, and
//! has no discovery, relays, NAT traversal, usage reporting or upgrades. Device A writes,
//! Syncthing carries the sealed objects, device B pulls them; both write and both end
//! equal; Syncthing's temporary files and conflict copies are passed over.
//!
//! Skipped with a message when `syncthing` is not installed, except under CI, where it is
//! a failure (CI installs it).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tend_sync::{
    DeviceId, JournalId, Options, Policy, Remote, Replica, Report, SyncKey, View, init_remote,
    read_head,
};

const FOLDER: &str = "tend-journal";
const WAIT: Duration = Duration::from_secs(60);

struct Instance {
    child: Child,
    id: String,
    gui: u16,
    api_key: String,
    folder: PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("binds")
        .local_addr()
        .expect("address")
        .port()
}

fn syncthing_installed() -> bool {
    Command::new("syncthing")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A new home with a key and certificate; returns the device id.
fn generate(home: &Path) -> String {
    let out = Command::new("syncthing")
        .args(["generate", "--no-default-folder", "--skip-port-probing"])
        .arg(format!("--home={}", home.display()))
        .env_clear()
        .env("HOME", home)
        .output()
        .expect("syncthing generate runs");
    assert!(out.status.success(), "syncthing generate failed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .find_map(|l| l.split("Device ID: ").nth(1))
        .map(|id| id.trim().to_string())
        .expect("syncthing generate names the device id")
}

struct Plan {
    id: String,
    listen: u16,
    gui: u16,
    api_key: String,
    folder: PathBuf,
}

/// The whole configuration, written before the first start: one folder shared by the two
/// devices, each dialled at its loopback address, and nothing that reaches past loopback.
fn config(me: &Plan, peer: &Plan) -> String {
    let device = |p: &Plan, name: &str| {
        format!(
            r#"    <device id="{}" name="{name}" compression="metadata" introducer="false">
        <address>tcp://127.0.0.1:{}</address>
        <autoAcceptFolders>false</autoAcceptFolders>
    </device>
"#,
            p.id, p.listen
        )
    };
    format!(
        r#"<configuration version="36">
    <folder id="{FOLDER}" label="{FOLDER}" path="{folder}" type="sendreceive" rescanIntervalS="60" fsWatcherEnabled="true" fsWatcherDelayS="1" ignorePerms="false" autoNormalize="true">
        <device id="{me_id}"></device>
        <device id="{peer_id}"></device>
        <maxConflicts>10</maxConflicts>
    </folder>
{me_device}{peer_device}    <gui enabled="true" tls="false">
        <address>127.0.0.1:{gui}</address>
        <apikey>{api_key}</apikey>
    </gui>
    <options>
        <listenAddress>tcp://127.0.0.1:{listen}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <urAccepted>-1</urAccepted>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <crashReportingEnabled>false</crashReportingEnabled>
        <startBrowser>false</startBrowser>
        <reconnectionIntervalS>1</reconnectionIntervalS>
        <setLowPriority>false</setLowPriority>
    </options>
</configuration>
"#,
        folder = me.folder.display(),
        me_id = me.id,
        peer_id = peer.id,
        me_device = device(me, "this device"),
        peer_device = device(peer, "the other device"),
        gui = me.gui,
        api_key = me.api_key,
        listen = me.listen,
    )
}

fn start(home: &Path, plan: &Plan, peer: &Plan) -> Instance {
    std::fs::write(home.join("config.xml"), config(plan, peer)).expect("writes config");
    // Syncthing wants its folder marker before it will sync a folder.
    std::fs::create_dir_all(plan.folder.join(".stfolder")).expect("makes the folder");
    let log = std::fs::File::create(home.join("syncthing.log")).expect("log file");
    let child = Command::new("syncthing")
        .args(["serve", "--no-browser", "--no-restart", "--no-upgrade"])
        .arg(format!("--home={}", home.display()))
        .env_clear()
        .env("HOME", home)
        .env("STMONITORED", "1")
        .env("STNORESTART", "1")
        .env("STNOUPGRADE", "1")
        .stdout(Stdio::from(log.try_clone().expect("log file")))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("syncthing runs");
    Instance {
        child,
        id: plan.id.clone(),
        gui: plan.gui,
        api_key: plan.api_key.clone(),
        folder: plan.folder.clone(),
    }
}

/// One request to an instance's REST API; the status code and body.
fn rest(instance: &Instance, method: &str, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", instance.gui)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nX-API-Key: {}\r\nContent-Length: 0\r\n\r\n",
        instance.api_key
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.split_whitespace().nth(1)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((status, body.to_string()))
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "gave up after {WAIT:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Asks Syncthing to look at the folder now rather than after its watcher's delay.
fn scan(instance: &Instance) {
    let _ = rest(instance, "POST", &format!("/rest/db/scan?folder={FOLDER}"));
}

fn remote(instance: &Instance) -> Remote {
    Remote::open(instance.folder.to_str().expect("utf-8"), &|_| None).expect("opens")
}

fn sync(remote: &Remote, key: &SyncKey, r: &mut Replica, now_ms: u64) -> Report {
    r.sync(
        remote,
        key,
        Options {
            snapshot_every: 1000,
            now_ms,
        },
        &mut |_| Ok(()),
        &mut |_| {},
    )
    .expect("syncs")
}

fn shown(r: &Replica, key: &str) -> Option<String> {
    r.shown(key)
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

#[test]
fn two_syncthing_instances_carry_the_log_between_two_devices() {
    if !syncthing_installed() {
        assert!(
            std::env::var_os("CI").is_none(),
            "syncthing is missing; scripts/install-test-tools.sh installs it"
        );
        eprintln!(
            "skipped: syncthing is not installed (scripts/install-test-tools.sh installs it)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = |name: &str| {
        let home = dir.path().join(name).join("home");
        std::fs::create_dir_all(&home).expect("home");
        Plan {
            id: generate(&home),
            listen: free_port(),
            gui: free_port(),
            api_key: format!("test-key-{name}-{}", free_port()),
            folder: dir.path().join(name).join("folder"),
        }
    };
    let (plan_a, plan_b) = (plan("a"), plan("b"));
    let a_st = start(&dir.path().join("a/home"), &plan_a, &plan_b);
    let b_st = start(&dir.path().join("b/home"), &plan_b, &plan_a);
    wait_for("the two instances to connect", || {
        rest(&a_st, "GET", "/rest/system/connections")
            .is_some_and(|(status, body)| status == 200 && connected(&body, &b_st.id))
    });

    // Device A sets up the remote in its folder and writes three reflections.
    let key = SyncKey::derive(&[8; 32], JournalId([9; 16]));
    let (remote_a, remote_b) = (remote(&a_st), remote(&b_st));
    init_remote(&remote_a, &key, vec![b"the journal's unlockers".to_vec()]).expect("init");
    let mut a = Replica::new(key.journal(), DeviceId([0xa; 16]));
    for i in 0..3 {
        a.put(
            &format!("reflection/{i}"),
            format!("written at the office, {i}").into_bytes(),
            1000 + i,
        );
    }
    let report = sync(&remote_a, &key, &mut a, 1010);
    assert_eq!(report.pushed_changes, 3);
    scan(&a_st);

    // Syncthing carries the head and the log; device B joins and pulls everything.
    wait_for("the head to reach device B", || {
        read_head(&remote_b).is_ok()
    });
    let mut b = Replica::join(&remote_b, &key, DeviceId([0xb; 16])).expect("joins");
    let mut now = 2000;
    wait_for("device B to have all three reflections", || {
        now += 1;
        sync(&remote_b, &key, &mut b, now);
        b.state().records.len() == 3
    });
    assert_eq!(
        shown(&b, "reflection/2").as_deref(),
        Some("written at the office, 2")
    );

    // A temporary file of Syncthing's beside ours (an object still arriving): passed over.
    let temporary = b_st
        .folder
        .join("log")
        .join(DeviceId([0xa; 16]).to_string())
        .join(".syncthing.0000000000000009.tmp");
    std::fs::write(&temporary, b"half an object").expect("writes");

    // Both write, one reflection edited on both sides, and both end equal.
    a.put("reflection/0", b"edited at the office".to_vec(), 3000);
    a.put("reflection/a", b"only at the office".to_vec(), 3001);
    b.put("reflection/0", b"edited at home".to_vec(), 3002);
    b.put("reflection/b", b"only at home".to_vec(), 3003);
    let mut conflicts = sync(&remote_a, &key, &mut a, 3004).conflicts;
    conflicts.extend(sync(&remote_b, &key, &mut b, 3005).conflicts);
    scan(&a_st);
    scan(&b_st);
    wait_for("both devices to hold the same journal", || {
        now += 1;
        conflicts.extend(sync(&remote_a, &key, &mut a, now).conflicts);
        conflicts.extend(sync(&remote_b, &key, &mut b, now).conflicts);
        a.state() == b.state() && a.state().records.len() == 5
    });
    assert_eq!(conflicts, vec!["reflection/0".to_string(); 2]);
    assert!(matches!(
        a.state().records["reflection/0"].view(Policy::KeepBoth),
        View::Conflict(v) if v.len() == 2
    ));
    assert_eq!(shown(&a, "reflection/b").as_deref(), Some("only at home"));
    assert_eq!(
        shown(&b, "reflection/a").as_deref(),
        Some("only at the office")
    );
    assert!(temporary.exists());

    // What the folders hold is sealed: no text of any reflection.
    a_copied_device_is_named_after_syncthing_keeps_one_of_its_objects(&a_st, &b_st, &key, &mut a);
    for folder in [&a_st.folder, &b_st.folder] {
        for file in walk(folder) {
            let bytes = std::fs::read(&file).expect("reads");
            for word in [&b"office"[..], b"home"] {
                assert!(
                    !bytes.windows(word.len()).any(|w| w == word),
                    "{file:?} holds text"
                );
            }
        }
    }
}

/// A copied journal: two machines sync as device A, each into its own folder while the
/// instances are paused, so each writes A's next object with other bytes. Syncthing keeps
/// one and renames the other to a conflict copy; the next sync names device A as forked.
fn a_copied_device_is_named_after_syncthing_keeps_one_of_its_objects(
    a_st: &Instance,
    b_st: &Instance,
    key: &SyncKey,
    a: &mut Replica,
) {
    for (st, other) in [(a_st, b_st), (b_st, a_st)] {
        let (status, _) = rest(
            st,
            "POST",
            &format!("/rest/system/pause?device={}", other.id),
        )
        .expect("pauses");
        assert_eq!(status, 200);
    }
    let mut copy = a.clone();
    a.put("reflection/x", b"written on the laptop".to_vec(), 9000);
    copy.put("reflection/y", b"written on the copy".to_vec(), 9001);
    sync(&remote(a_st), key, a, 9002);
    sync(&remote(b_st), key, &mut copy, 9003);
    for (st, other) in [(a_st, b_st), (b_st, a_st)] {
        rest(
            st,
            "POST",
            &format!("/rest/system/resume?device={}", other.id),
        )
        .expect("resumes");
        scan(st);
    }
    let mut forked = Vec::new();
    wait_for("Syncthing to keep one of the two objects", || {
        let r = sync(&remote(b_st), key, &mut copy, 9004);
        forked = r.forked;
        !forked.is_empty()
    });
    assert_eq!(forked, vec![a.device()]);
}

/// Whether `/rest/system/connections` says `peer` is connected (read without a JSON
/// parser: the peer's entry, then its first `connected` field).
fn connected(body: &str, peer: &str) -> bool {
    body.split_once(&format!("\"{peer}\""))
        .and_then(|(_, rest)| rest.split_once("\"connected\""))
        .is_some_and(|(_, rest)| rest.trim_start_matches([':', ' ']).starts_with("true"))
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads").flatten() {
        let p = entry.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == ".stfolder") {
                continue;
            }
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
