//! The agent locks when logind says so: `PrepareForSleep(true)` and its own session's `Lock`.
//!
//! Each test starts a private `dbus-daemon` on a socket in its temporary folder, serves a
//! stand-in `org.freedesktop.login1` on it (the three methods the agent calls), points the
//! agent at it with `DBUS_SYSTEM_BUS_ADDRESS`, and emits the signals logind would emit.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Env;
use zbus::{Connection, OwnedObjectPath};

const MANAGER_PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";

/// A private bus, stopped when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// Starts `dbus-daemon` with a config that lets anyone own any name and send anything, on a
/// socket in `dir`. `None` (and the test is skipped) where dbus-daemon is not installed,
/// except on CI, where scripts/install-test-tools.sh installs it.
fn bus(dir: &Path) -> Option<Bus> {
    let Some(daemon) = which("dbus-daemon") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "dbus-daemon is missing: run scripts/install-test-tools.sh"
        );
        println!("skipped: dbus-daemon is not installed");
        return None;
    };
    let socket = dir.join("system_bus_socket");
    let config = dir.join("bus.conf");
    std::fs::write(
        &config,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="method_return"/>
    <allow send_type="signal"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="signal"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
"#,
            socket.display()
        ),
    )
    .unwrap();
    let mut child = Command::new(daemon)
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--nopidfile", "--print-address"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // It warns, harmlessly, when it may not raise its file limit (in a container).
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // It prints its address once it listens.
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert!(line.starts_with("unix:"), "dbus-daemon said {line:?}");
    Some(Bus {
        daemon: child,
        address: format!("unix:path={}", socket.display()),
    })
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The stand-in logind's manager object: every call is written down.
struct Manager {
    calls: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl Manager {
    #[zbus(name = "GetSession")]
    fn get_session(&self, id: &str) -> zbus::fdo::Result<OwnedObjectPath> {
        self.calls.lock().unwrap().push(format!("GetSession {id}"));
        Ok(OwnedObjectPath::try_from(format!("{MANAGER_PATH}/session/{id}")).unwrap())
    }

    #[zbus(name = "GetSessionByPID")]
    fn get_session_by_pid(&self, pid: u32) -> zbus::fdo::Result<OwnedObjectPath> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("GetSessionByPID {pid}"));
        Ok(OwnedObjectPath::try_from(format!("{MANAGER_PATH}/session/by_pid")).unwrap())
    }

    #[zbus(name = "Inhibit")]
    fn inhibit(&self, what: &str, who: &str, _why: &str, mode: &str) -> zbus::OwnedFd {
        self.calls
            .lock()
            .unwrap()
            .push(format!("Inhibit {what} {who} {mode}"));
        let null = std::fs::File::open("/dev/null").unwrap();
        zbus::OwnedFd::from(std::os::fd::OwnedFd::from(null))
    }
}

/// The stand-in logind on `bus`.
struct Logind {
    conn: Connection,
    calls: Arc<Mutex<Vec<String>>>,
}

impl Logind {
    fn serve(bus: &Bus) -> Self {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let manager = Manager {
            calls: calls.clone(),
        };
        // Built inside block_on; zbus's helper thread serves it once block_on returns.
        let conn = zbus::block_on(
            zbus::connection::Builder::address(bus.address.as_str())
                .name("org.freedesktop.login1")
                .serve_at(MANAGER_PATH, manager)
                .build(),
        )
        .unwrap();
        Self { conn, calls }
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    /// Waits until the agent has taken its delay lock: its last step, after it subscribed
    /// to the signals and asked for its session.
    fn wait_for_agent(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.calls().iter().any(|c| c.starts_with("Inhibit")) {
            assert!(
                Instant::now() < deadline,
                "the agent never asked logind for a delay lock: {:?}",
                self.calls()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn prepare_for_sleep(&self, start: bool) {
        zbus::block_on(self.conn.emit_signal(
            None::<&str>,
            MANAGER_PATH,
            MANAGER,
            "PrepareForSleep",
            &(start,),
        ))
        .unwrap();
    }

    fn lock_session(&self, path: &str) {
        zbus::block_on(
            self.conn
                .emit_signal(None::<&str>, path, SESSION, "Lock", &()),
        )
        .unwrap();
    }
}

/// `tend ARGS` on the private bus, with no passphrase source: only the agent can open.
fn bare(env: &Env, bus: &str, extra: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut cmd = env.cmd();
    cmd.env_remove("TEND_PASSPHRASE_FILE")
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.args(args).output().unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `tend unlock` with the passphrase file, on the private bus.
fn unlock(env: &Env, bus: &str, extra: &[(&str, &str)]) {
    let mut cmd = env.cmd();
    cmd.env("DBUS_SYSTEM_BUS_ADDRESS", bus);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd.arg("unlock").output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

/// Polls `tend status` until it says locked; fails after a generous deadline.
fn wait_until_locked(env: &Env, bus: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = bare(env, bus, &[], &["status"]);
        if text(&out).contains("Locked") {
            return;
        }
        assert!(Instant::now() < deadline, "still unlocked: {}", text(&out));
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// After a lock, the journal needs its passphrase again.
fn assert_needs_the_passphrase(env: &Env, bus: &str) {
    let out = bare(env, bus, &[], &["list"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("passphrase"), "{}", text(&out));
}

#[test]
fn prepare_for_sleep_locks_every_journal() {
    let env = Env::with_journal();
    env.ok(&["write", "before the lid closed"]);
    let Some(bus) = bus(env.dir.path()) else {
        return;
    };
    let logind = Logind::serve(&bus);
    unlock(&env, &bus.address, &[]);
    logind.wait_for_agent();
    let calls = logind.calls();
    assert!(
        calls.iter().any(|c| c == "Inhibit sleep tend delay"),
        "{calls:?}"
    );
    // Without XDG_SESSION_ID the agent finds its session by its process id.
    assert!(
        calls.iter().any(|c| c.starts_with("GetSessionByPID ")),
        "{calls:?}"
    );

    // Waking up, and another session's lock, change nothing. (These cannot show a lock
    // that comes late; the test below shows that a Lock is acted on at all.)
    logind.prepare_for_sleep(false);
    logind.lock_session(&format!("{MANAGER_PATH}/session/someone_else"));
    std::thread::sleep(Duration::from_millis(300));
    let out = bare(&env, &bus.address, &[], &["list"]);
    assert!(
        out.status.success() && text(&out).contains("before the lid closed"),
        "{}",
        text(&out)
    );

    logind.prepare_for_sleep(true);
    wait_until_locked(&env, &bus.address);
    assert_needs_the_passphrase(&env, &bus.address);
}

#[test]
fn locking_this_session_locks_every_journal() {
    let env = Env::with_journal();
    env.ok(&["write", "before the screen locked"]);
    let Some(bus) = bus(env.dir.path()) else {
        return;
    };
    let logind = Logind::serve(&bus);
    let session = [("XDG_SESSION_ID", "c7")];
    unlock(&env, &bus.address, &session);
    logind.wait_for_agent();
    assert!(
        logind.calls().iter().any(|c| c == "GetSession c7"),
        "{:?}",
        logind.calls()
    );
    let out = bare(&env, &bus.address, &session, &["list"]);
    assert!(out.status.success(), "{}", text(&out));

    logind.lock_session(&format!("{MANAGER_PATH}/session/c7"));
    wait_until_locked(&env, &bus.address);
    assert_needs_the_passphrase(&env, &bus.address);
}

#[test]
fn a_bus_without_logind_or_no_bus_at_all_keeps_the_agent_working() {
    let env = Env::with_journal();
    env.ok(&["write", "no logind here"]);
    let nowhere = format!("unix:path={}", env.dir.path().join("no-bus-here").display());
    let mut addresses = vec![nowhere];
    let bus = bus(env.dir.path());
    if let Some(bus) = &bus {
        addresses.push(bus.address.clone());
    }
    for address in &addresses {
        unlock(&env, address, &[]);
        let out = bare(&env, address, &[], &["list"]);
        assert!(
            out.status.success() && text(&out).contains("no logind here"),
            "{address}: {}",
            text(&out)
        );
        let out = bare(&env, address, &[], &["status"]);
        assert!(text(&out).contains("Unlocked:"), "{}", text(&out));
        // Nothing alarming is said about the missing logind.
        assert!(
            !text(&out).to_lowercase().contains("d-bus") && !text(&out).contains("logind"),
            "{}",
            text(&out)
        );
        let out = bare(&env, address, &[], &["lock"]);
        assert!(out.status.success(), "{}", text(&out));
        wait_until_locked(&env, address);
    }
}
