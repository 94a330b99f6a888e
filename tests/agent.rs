//! The agent end to end: unlock once per sitting, lock, timers, a killed agent, another
//! user, malformed requests, modes on disk, and journals keyed by id, not path.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{Env, PASSPHRASE};
use rexpect::session::PtyReplSession;

fn socket(env: &Env) -> PathBuf {
    env.runtime.join("tend").join("agent.sock")
}

/// `tend ARGS` with no passphrase source at all: only the agent can open the journal.
fn bare(env: &Env, args: &[&str]) -> std::process::Output {
    env.cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .args(args)
        .output()
        .unwrap()
}

fn bare_ok(env: &Env, args: &[&str]) -> String {
    let out = bare(env, args);
    assert!(
        out.status.success(),
        "tend {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn agent_pid(env: &Env) -> i32 {
    let out = bare(env, &["status"]);
    let err = String::from_utf8_lossy(&out.stderr);
    let pid = err
        .split("process ")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .unwrap_or_else(|| panic!("no pid in {err}"));
    pid.parse().unwrap()
}

fn lock(env: &Env) {
    let _ = env.run(&["lock"]);
}

/// A bash on a pseudo-terminal with the test's environment but no passphrase file: tend
/// asks on the terminal.
fn pty(env: &Env, extra: &str) -> PtyReplSession {
    let mut p = common::pty();
    p.send_line(&format!(
        "export HOME='{}' PATH='{}' TEND_JOURNAL='{}' TEND_INSECURE_SCRYPT_WORK_FACTOR=8 XDG_RUNTIME_DIR='{}' DBUS_SYSTEM_BUS_ADDRESS='{}' NO_COLOR=1 {extra}; unset TEND_PASSPHRASE_FILE TEND_PASSPHRASE_COMMAND TEND_IDENTITY XDG_SESSION_ID; T='{}'",
        env.home.display(),
        std::env::var("PATH").unwrap_or_default(),
        env.journal.display(),
        env.runtime.display(),
        env.no_system_bus(),
        common::tend_bin().display()
    ))
    .unwrap();
    p.wait_for_prompt().unwrap();
    p
}

/// Runs `$T ARGS` in the pty and returns (exit code, output). Fails if tend asks for the
/// passphrase.
fn pty_run(p: &mut PtyReplSession, args: &str) -> (i32, String) {
    p.send_line(&format!("$T {args} </dev/null; echo EXIT=$?"))
        .unwrap();
    let (before, matched) = p.exp_regex("EXIT=[0-9]+").unwrap();
    assert!(
        !before.contains("Passphrase:"),
        "`tend {args}` asked for the passphrase: {before}"
    );
    (matched.trim_start_matches("EXIT=").parse().unwrap(), before)
}

/// Runs `$T ARGS`, expects the passphrase question, and answers it.
fn pty_asked(p: &mut PtyReplSession, args: &str) -> (i32, String) {
    p.send_line(&format!("$T {args}; echo EXIT=$?")).unwrap();
    p.exp_string("Passphrase:").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    let (before, matched) = p.exp_regex("EXIT=[0-9]+").unwrap();
    (matched.trim_start_matches("EXIT=").parse().unwrap(), before)
}

#[test]
fn unlock_once_then_commands_without_a_prompt_then_lock() {
    let env = Env::with_journal();
    let mut p = pty(&env, "");
    let (code, out) = pty_asked(&mut p, "unlock");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Unlocked") && out.contains("for this sitting"),
        "{out}"
    );
    let (code, out) = pty_run(&mut p, "write 'the first of three' -v equity=3");
    assert_eq!(code, 0, "{out}");
    let (code, out) = pty_run(&mut p, "write 'the second of three'");
    assert_eq!(code, 0, "{out}");
    let (code, out) = pty_run(&mut p, "write 'the third of three' -t rota");
    assert_eq!(code, 0, "{out}");
    let (code, out) = pty_run(&mut p, "list");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("the first of three") && out.contains("the third of three"),
        "{out}"
    );
    let (code, out) = pty_run(&mut p, "search second");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("the second of three"), "{out}");
    let (code, out) = pty_run(&mut p, "status");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Unlocked:"), "{out}");

    let (code, out) = pty_run(&mut p, "lock");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Locked"), "{out}");
    // The next command asks again, and (as configured by default) keeps it unlocked after.
    let (code, out) = pty_asked(&mut p, "list");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("the second of three"), "{out}");
    assert!(out.contains("Unlocked for this sitting"), "{out}");
    let (code, out) = pty_run(&mut p, "list -n 1");
    assert_eq!(code, 0, "{out}");
    lock(&env);
}

#[test]
fn start_on_unlock_off_keeps_each_command_asking() {
    let env = Env::with_journal();
    let config = env.file("config.toml", "[agent]\nstart_on_unlock = false\n");
    let mut p = pty(&env, &format!("TEND_CONFIG='{}'", config.display()));
    let (code, out) = pty_asked(&mut p, "list");
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("Unlocked"), "{out}");
    assert!(!socket(&env).exists());
    let (code, _) = pty_asked(&mut p, "list");
    assert_eq!(code, 0);
}

#[test]
fn without_a_terminal_no_agent_starts_unless_asked() {
    let env = Env::with_journal();
    env.ok(&["write", "a reflection"]);
    env.ok(&["list"]);
    assert!(!socket(&env).exists(), "a passphrase file starts no agent");
    // Asked for: `tend unlock` with the passphrase file.
    let out = env.ok(&["unlock"]);
    assert!(out.contains("for this sitting"), "{out}");
    assert!(bare_ok(&env, &["list"]).contains("a reflection"));
    lock(&env);
    let err = String::from_utf8(bare(&env, &["list"]).stderr).unwrap();
    assert!(err.contains("no terminal to ask on"), "{err}");
}

#[test]
fn the_socket_and_its_folder_are_private() {
    let env = Env::with_journal();
    env.ok(&["unlock"]);
    let dir = env.runtime.join("tend");
    let mode = |p: &PathBuf| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&socket(&env)), 0o600);
    // A folder others can enter is refused, by the client too.
    // The agent removes its socket before it answers `lock`.
    lock(&env);
    assert!(!socket(&env).exists());
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8(env.run(&["unlock"]).stderr).unwrap();
    assert!(err.contains("not private"), "{err}");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
}

/// What the agent says it holds, read with the agent's own client (deadlines to the second).
fn held(env: &Env) -> Vec<tend_agent::protocol::Held> {
    match tend_agent::client::Client::connect(&socket(env)).unwrap() {
        Some(client) => client.status().map(|s| s.journals).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// Polls `tend status` until it says locked, for at most `within`; returns how long it took.
/// A generous bound: the tests below show what locks, not how promptly on a busy machine.
fn wait_until_locked(env: &Env, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let out = bare(env, &["status"]);
        if String::from_utf8_lossy(&out.stdout).contains("Locked") {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "still unlocked after {within:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn use_resets_the_idle_timer_and_status_does_not() {
    let env = Env::with_journal();
    env.ok(&["unlock"]);
    let first = held(&env);
    assert_eq!(first.len(), 1, "one journal held");
    // Deadlines are to the second: let more than one pass.
    std::thread::sleep(Duration::from_millis(1100));
    bare_ok(&env, &["status"]);
    let looked = held(&env);
    assert_eq!(
        looked[0].idle_deadline, first[0].idle_deadline,
        "looking is not use"
    );
    bare_ok(&env, &["list"]);
    let used = held(&env);
    assert!(
        used[0].idle_deadline > first[0].idle_deadline,
        "use moves the idle deadline on"
    );
    assert_eq!(
        used[0].limit_deadline, first[0].limit_deadline,
        "use never moves the absolute limit"
    );
    lock(&env);
}

#[test]
fn the_idle_timeout_from_the_config_locks() {
    let env = Env::with_journal();
    let config_dir = env.home.join(".config").join("tend");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        "[agent]\nidle_timeout = \"2s\"\nabsolute_limit = \"1h\"\n",
    )
    .unwrap();
    let shown = env.ok(&["config"]);
    assert!(
        shown.contains("idle_timeout = 2s") && shown.contains("config file"),
        "{shown}"
    );
    let before = Instant::now();
    env.ok(&["unlock"]);
    let held = held(&env);
    let h = held.first().expect("unlocked");
    let idle = h.idle_deadline.duration_since(h.since).unwrap();
    assert!(idle <= Duration::from_secs(3), "{idle:?}");
    // Left alone, it locks; only the idle timeout can (the limit is an hour away).
    wait_until_locked(&env, Duration::from_secs(60));
    assert!(
        before.elapsed() >= Duration::from_secs(1),
        "not before its time"
    );
    assert!(!bare(&env, &["list"]).status.success());
    // An environment variable wins over the file.
    let out = env
        .cmd()
        .env("TEND_AGENT_IDLE_TIMEOUT", "5m")
        .arg("config")
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.contains("idle_timeout = 5m") && out.contains("TEND_AGENT_IDLE_TIMEOUT"),
        "{out}"
    );
    // A bad setting is named, with the file.
    std::fs::write(
        config_dir.join("config.toml"),
        "[agent]\nidle_timeout = \"soon\"\n",
    )
    .unwrap();
    let err = env.fails(&["config"]);
    assert!(
        err.contains("idle_timeout") && err.contains("hint"),
        "{err}"
    );
}

#[test]
fn the_absolute_limit_locks_even_in_use() {
    let env = Env::with_journal();
    let before = Instant::now();
    let out = env
        .cmd()
        .env("TEND_AGENT_ABSOLUTE_LIMIT", "3s")
        .arg("unlock")
        .output()
        .unwrap();
    assert!(out.status.success());
    // Used all the time (the idle timeout is the default ten minutes), and still it locks.
    loop {
        if !bare(&env, &["list"]).status.success() {
            break;
        }
        assert!(
            before.elapsed() < Duration::from_secs(60),
            "still unlocked after a minute of use"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        before.elapsed() >= Duration::from_secs(3),
        "locked before the limit: {:?}",
        before.elapsed()
    );
    assert!(bare_ok(&env, &["status"]).contains("Locked"));
}

#[test]
fn killing_the_agent_asks_again_and_loses_nothing() {
    let env = Env::with_journal();
    env.ok(&["write", "kept through a killed agent"]);
    env.ok(&["unlock"]);
    bare_ok(&env, &["write", "written through the agent"]);
    let before = env.snapshot();
    let pid = agent_pid(&env);
    std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    wait_until_dead(pid);
    let err = String::from_utf8(bare(&env, &["list"]).stderr).unwrap();
    assert!(err.contains("passphrase"), "{err}");
    assert_eq!(env.snapshot(), before, "nothing lost");
    // The socket it left behind is replaced by the next agent.
    assert!(socket(&env).exists());
    env.ok(&["unlock"]);
    assert!(bare_ok(&env, &["list"]).contains("written through the agent"));
    lock(&env);
}

/// Waits until `pid` has exited (gone, or a zombie nobody reaped: its sockets are closed).
fn wait_until_dead(pid: i32) {
    let started = Instant::now();
    loop {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return,
            Ok(stat)
                if stat
                    .rsplit(')')
                    .next()
                    .is_some_and(|r| r.trim_start().starts_with('Z')) =>
            {
                return;
            }
            Ok(_) => {}
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "process {pid} outlived SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn another_users_connection_is_refused() {
    let env = Env::with_journal();
    env.ok(&["unlock"]);
    // SAFETY-free check of who we are: only root can become another user here.
    let me = String::from_utf8(
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    if me.trim() != "0" || which("setpriv").is_none() || which("perl").is_none() {
        println!("skipped: becoming another user needs root, setpriv and perl");
        lock(&env);
        return;
    }
    // Open the folders so that only the peer-credential check stands in the way.
    let dir = env.runtime.join("tend");
    let open = |p: &std::path::Path, m| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    for p in [env.dir.path(), env.runtime.as_path()] {
        open(p, 0o755);
    }
    open(&dir, 0o755);
    open(&socket(&env), 0o777);
    // Perl is in every Debian base system, and readable by any user.
    let probe = r#"use Socket; $SIG{PIPE} = "IGNORE"; socket(S, PF_UNIX, SOCK_STREAM, 0) or die "socket"; connect(S, pack_sockaddr_un($ARGV[0])) or die "connect: $!"; syswrite(S, "\x01\x00\x00\x00\x01"); my $n = sysread(S, my $b, 100); print "answer ", ($n // 0), "\n";"#;
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "perl",
            "-e",
            probe,
        ])
        .arg(socket(&env))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("answer 0") || err.contains("reset"),
        "another user got an answer: {said} {err}"
    );
    // The same request from this user is answered: the check is on the user id.
    let mut s = UnixStream::connect(socket(&env)).unwrap();
    s.write_all(&[1, 0, 0, 0, 1]).unwrap();
    let mut head = [0u8; 5];
    s.read_exact(&mut head).unwrap();
    assert_eq!(head[4], 0);
    open(&socket(&env), 0o600);
    open(&dir, 0o700);
    lock(&env);
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.exists())
    })
}

#[test]
fn a_malformed_request_closes_that_connection_only() {
    let env = Env::with_journal();
    env.ok(&["write", "still readable"]);
    env.ok(&["unlock"]);
    let closed = |bytes: &[u8]| {
        let mut s = UnixStream::connect(socket(&env)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.write_all(bytes);
        let mut buf = [0u8; 16];
        assert!(
            matches!(s.read(&mut buf), Ok(0) | Err(_)),
            "{bytes:?} got an answer"
        );
    };
    closed(&[1, 0, 0, 0, 99]); // no such operation
    closed(&[3, 0, 0, 0, 1, 0]); // status with bytes left over
    closed(&[0xff, 0xff, 0xff, 0xff]); // a frame over the cap
    closed(&[0, 0, 0, 0]); // an empty frame
    // An open request whose items claim more bytes than it sent.
    let mut open = vec![5u8];
    open.extend_from_slice(&[0; 16]);
    open.extend_from_slice(&[1, 0, b't']);
    open.extend_from_slice(&1u32.to_le_bytes());
    open.extend_from_slice(&[0, 0]);
    open.extend_from_slice(&1000u32.to_le_bytes());
    let mut frame = (open.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&open);
    closed(&frame);
    // The agent still serves everyone else.
    assert!(bare_ok(&env, &["list"]).contains("still readable"));
    lock(&env);
}

#[test]
fn a_different_journal_at_the_same_path_is_not_opened_with_the_old_key() {
    let env = Env::with_journal();
    env.ok(&["write", "in the first journal"]);
    env.ok(&["unlock"]);
    std::fs::rename(&env.journal, env.path("first.tend")).unwrap();
    env.ok(&["init"]);
    let out = bare(&env, &["list"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("passphrase"), "{err}");
    assert!(bare_ok(&env, &["status"]).contains("Locked"));
    // On a terminal, a journal the agent does not hold asks for its passphrase.
    let mut p = pty(&env, "");
    let (code, out) = pty_asked(&mut p, "list");
    assert_eq!(code, 0, "{out}");
    // One agent, two journals, each by its id.
    let first = env.path("first.tend");
    let out = bare(&env, &["--journal", first.to_str().unwrap(), "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("in the first journal"));
    let status = bare_ok(&env, &["status"]);
    assert!(
        status.contains("Unlocked:") && status.contains("Also unlocked"),
        "{status}"
    );
    // A file that is not a journal is named before any passphrase is asked.
    let notes = env.file("notes.txt", "just notes");
    let (code, out) = pty_run(&mut p, &format!("--journal '{}' list", notes.display()));
    assert_ne!(code, 0);
    assert!(
        out.contains("not a tend journal") || out.contains("damaged"),
        "{out}"
    );
    lock(&env);
}

#[test]
fn key_commands_open_with_the_passphrase_and_the_agent_gets_the_new_key() {
    let env = Env::with_journal();
    env.ok(&["write", "before the rotation"]);
    env.ok(&["unlock"]);
    env.ok(&["key", "rotate"]);
    // The agent holds the new key: no passphrase needed, and the old key is gone.
    assert!(bare_ok(&env, &["list"]).contains("before the rotation"));
    lock(&env);
}

#[test]
fn a_journal_that_locks_while_the_editor_is_open_keeps_the_text() {
    let env = Env::with_journal();
    // The editor stays open until the agent has locked (its socket is gone), however long
    // that takes on a busy machine; at most a minute.
    let editor = env.path("slow-editor.sh");
    common::script(
        &editor,
        &format!(
            "i=0; while [ -S '{}' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; printf 'written while the timer ran out\\n' > \"$1\"",
            socket(&env).display()
        ),
    );
    // Five seconds: time enough for `tend write` to start before it locks.
    let mut p = pty(
        &env,
        &format!("TEND_AGENT_IDLE_TIMEOUT=5s EDITOR='{}'", editor.display()),
    );
    let (code, out) = pty_asked(&mut p, "unlock");
    assert_eq!(code, 0, "{out}");
    p.send_line("$T write; echo EXIT=$?").unwrap();
    p.exp_string("What you wrote is kept").unwrap();
    p.exp_string("Passphrase:").unwrap();
    p.send_line(PASSPHRASE).unwrap();
    let (before, matched) = p.exp_regex("EXIT=[0-9]+").unwrap();
    assert_eq!(matched, "EXIT=0", "{before}");
    assert!(before.contains("Saved reflection "), "{before}");
    assert!(
        env.ok(&["list"])
            .contains("written while the timer ran out")
    );
    lock(&env);
}

#[test]
fn check_and_purge_through_the_agent_keep_the_file_whole() {
    let env = Env::with_journal();
    let ids: Vec<String> = ["one to keep", "one to purge", "another to keep"]
        .into_iter()
        .map(|text| env.write(&[text]))
        .collect();
    env.ok(&["unlock"]);
    // The agent opens and MACs in batches; the manifest it computes is the file's own.
    assert!(bare_ok(&env, &["check"]).contains("the file is whole"));
    bare_ok(&env, &["delete", &ids[1], "--purge", "--yes"]);
    assert!(bare_ok(&env, &["check"]).contains("the file is whole"));
    lock(&env);
    // And with the passphrase, no agent involved, the rewritten file is whole too.
    assert!(env.ok(&["check"]).contains("the file is whole"));
    let listed = env.ok(&["list"]);
    assert!(
        listed.contains("another to keep") && !listed.contains("one to purge"),
        "{listed}"
    );
}
