//! A clean world for each end-to-end test: a temporary home, a journal path, a passphrase
//! file, and the real `tend` binary run with only the variables the test means.
#![allow(dead_code, missing_debug_implementations, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub mod layout;
pub mod screen;
pub mod webdav;

/// The passphrase every test journal uses.
pub const PASSPHRASE: &str = "a quiet river at dawn";

/// The real `tend` binary, built first if need be.
///
/// Cargo builds a workspace member's binary for that member's own tests only, so the
/// end-to-end tests at the root ask cargo to build it once per test binary (a no-op when it
/// is fresh) rather than risk driving a stale one.
pub fn tend_bin() -> PathBuf {
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let release = std::env::current_exe()
            .map(|p| p.components().any(|c| c.as_os_str() == "release"))
            .unwrap_or(false);
        let mut build = std::process::Command::new(cargo);
        build.args(["build", "--quiet", "-p", "tend-cli", "--bin", "tend"]);
        if release {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building tend failed");
    });
    assert_cmd::cargo::cargo_bin("tend")
}

/// A temporary home with its own journal.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub journal: PathBuf,
    pub pass_file: PathBuf,
    pub runtime: PathBuf,
}

impl Env {
    /// A fresh environment with no journal yet.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let runtime = dir.path().join("runtime");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&runtime).unwrap();
        let pass_file = dir.path().join("passphrase");
        std::fs::write(&pass_file, format!("{PASSPHRASE}\n")).unwrap();
        let journal = home.join("journal.tend");
        Self {
            dir,
            home,
            journal,
            pass_file,
            runtime,
        }
    }

    /// A fresh environment with a journal made with the default pack.
    pub fn with_journal() -> Self {
        let env = Self::new();
        env.ok(&["init"]);
        env
    }

    /// `tend` with a clean environment: HOME, the journal, the passphrase file, a low scrypt
    /// work factor, a private runtime folder and no terminal.
    pub fn cmd(&self) -> Command {
        let mut c = Command::from_std(self.std_cmd());
        c.write_stdin("");
        c
    }

    /// The same as [`Env::cmd`], as a plain `std::process::Command`.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(tend_bin());
        c.env_clear()
            .env("HOME", &self.home)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TEND_JOURNAL", &self.journal)
            .env("TEND_PASSPHRASE_FILE", &self.pass_file)
            .env("TEND_INSECURE_SCRYPT_WORK_FACTOR", "8")
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env("DBUS_SYSTEM_BUS_ADDRESS", self.no_system_bus())
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        c
    }

    /// A system bus address where there is none: an agent a test starts never hears the
    /// real logind of the machine running the tests (a screen locked mid-test would lock
    /// it). tests/agent_logind.rs points it at a private bus instead.
    pub fn no_system_bus(&self) -> String {
        format!(
            "unix:path={}",
            self.dir.path().join("no-system-bus").display()
        )
    }

    /// Runs tend with `args`; returns the output whatever the status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs tend and requires success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tend {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs tend with stdin and requires success; returns stdout.
    pub fn ok_stdin(&self, args: &[&str], stdin: &str) -> String {
        let out = self.cmd().args(args).write_stdin(stdin).output().unwrap();
        assert!(
            out.status.success(),
            "tend {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `cmd` (this environment's tend, with something changed) with `args`, requires
    /// success, and returns stdout.
    pub fn ok_with(&self, mut cmd: Command, args: &[&str]) -> String {
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "tend {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs tend and requires failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "tend {args:?} should have failed but printed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// Everything the journal holds, as tend's own export (without the export's timestamp)
    /// plus the values pack: compare two snapshots to show that "nothing changed". (The file's
    /// bytes are no test of that: redb flips a header byte each time the file is opened.)
    pub fn snapshot(&self) -> String {
        let out = self.run(&["export", "--format", "json"]);
        assert!(
            out.status.success(),
            "export failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json.as_object_mut().unwrap().remove("exported");
        // Record ids are left out: a format 1 journal derives them from its key, which a
        // rotation or a recovery changes. (Format 2 stores them, and could compare them.)
        for kind in ["reflections", "commitments", "repairs"] {
            for record in json[kind].as_array_mut().into_iter().flatten() {
                record.as_object_mut().unwrap().remove("record_id");
            }
        }
        let pack = self.run(&["values", "export"]);
        format!("{json}\n{}", String::from_utf8_lossy(&pack.stdout))
    }

    /// A path inside the test's folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file inside the test's folder and returns its path.
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p
    }
}

/// The id of the record a command just saved or opened, as a person types it back: the word
/// after "Saved reflection", "Saved commitment" or "Opened repair" in what it printed. Tests
/// read ids this way and never assume them: a journal does not count its ids from 1.
pub fn saved_id(out: &str) -> String {
    ["Saved reflection ", "Saved commitment ", "Opened repair "]
        .iter()
        .find_map(|said| {
            let (_, after) = out.split_once(said)?;
            let word = after.split_whitespace().next()?;
            Some(word.trim_end_matches(['.', ',']).to_owned())
        })
        .unwrap_or_else(|| panic!("no saved id in: {out}"))
}

/// A record's id in tend's JSON output, as a person types it (a number or a handle).
pub fn json_id(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        other => panic!("not an id: {other}"),
    }
}

impl Env {
    /// `tend write ARGS`, required to succeed; returns the new reflection's id.
    pub fn write(&self, args: &[&str]) -> String {
        saved_id(&self.ok(&[&["write"], args].concat()))
    }

    /// `tend write ARGS` with `stdin`, required to succeed; returns the new reflection's id.
    pub fn write_stdin(&self, args: &[&str], stdin: &str) -> String {
        saved_id(&self.ok_stdin(&[&["write"], args].concat(), stdin))
    }

    /// The ids `tend list --json ARGS` shows, in its order.
    pub fn listed(&self, args: &[&str]) -> Vec<String> {
        let out = self.ok(&[&["list", "--json"], args].concat());
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .map(|e| json_id(&e["id"]))
            .collect()
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Runs an example script (`script`, from the repository's root) with bash and only the
/// variables it needs: `home` as HOME and TMPDIR, the tend these tests built as TEND, and
/// `out_dir` as its argument. Requires success; returns stdout and stderr.
pub fn walkthrough(script: &str, home: &Path, out_dir: &Path) -> (String, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    let output = std::process::Command::new("bash")
        .arg(&script)
        .arg(out_dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("TMPDIR", home)
        .env("TEND", tend_bin())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the walkthrough failed:\n{stderr}\n{stdout}"
    );
    (stdout, stderr)
}

/// Makes an executable shell script (a fake editor, say).
pub fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A bash session on a pseudo-terminal, for the flows that need one (the editor, prompts,
/// `tend reflect`). Commands are run with `send_line`; end them with `; echo EXIT=$?` and
/// wait for `exp_regex("EXIT=[0-9]+")`. Dropping it ends bash at once.
pub fn pty() -> rexpect::session::PtyReplSession {
    let mut p = rexpect::spawn_bash(Some(30_000)).unwrap();
    // bash shrugs off SIGTERM; without this, dropping the session waits out the timeout.
    p.process_mut().set_kill_timeout(Some(100));
    p
}
