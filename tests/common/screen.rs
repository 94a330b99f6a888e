//! `tend ui` on a pseudo-terminal, with what it draws read back into a screen of cells
//! (vt100), so tests see what a person would see rather than escape sequences.

use std::time::{Duration, Instant};

use rexpect::session::PtyReplSession;

use super::Env;

pub const ROWS: u16 = 30;
pub const COLS: u16 = 100;

/// A `tend ui` session on a pseudo-terminal, with what it drew so far.
pub struct Ui {
    pub pty: PtyReplSession,
    pub screen: vt100::Parser,
}

/// The shell line that runs `tend ui` in the same clean world as [`Env::cmd`]. `extra` adds
/// or overrides variables (`TEND_PASSPHRASE_FILE=` asks for the passphrase on screen).
pub fn ui_cmdline(env: &Env, extra: &str) -> String {
    format!(
        "stty rows {ROWS} cols {COLS}; env -i HOME='{}' PATH='{}' TERM=xterm-256color TEND_JOURNAL='{}' TEND_PASSPHRASE_FILE='{}' TEND_INSECURE_SCRYPT_WORK_FACTOR=8 XDG_RUNTIME_DIR='{}' TMPDIR='{}' NO_COLOR=1 {extra} '{}' ui; echo EXIT=$?",
        env.home.display(),
        std::env::var("PATH").unwrap_or_default(),
        env.journal.display(),
        env.pass_file.display(),
        env.runtime.display(),
        env.path("tmp").display(),
        super::tend_bin().display()
    )
}

pub fn parser() -> vt100::Parser {
    let size = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    vt100::Parser::new(size(ROWS), size(COLS), 0)
}

impl Ui {
    /// Reads a session already started on `pty`.
    pub fn attach(pty: PtyReplSession) -> Self {
        Self {
            pty,
            screen: parser(),
        }
    }

    pub fn start(env: &Env, extra: &str) -> Self {
        std::fs::create_dir_all(env.path("tmp")).unwrap();
        let mut pty = super::pty();
        pty.send_line(&ui_cmdline(env, extra)).unwrap();
        Self {
            pty,
            screen: parser(),
        }
    }

    /// Reads what has been drawn so far.
    pub fn pump(&mut self) {
        let mut bytes = Vec::new();
        while let Some(c) = self.pty.try_read() {
            // rexpect hands each byte over as one char.
            bytes.push(c as u32 as u8);
        }
        self.screen.process(&bytes);
    }

    pub fn contents(&mut self) -> String {
        self.pump();
        self.screen.screen().contents()
    }

    /// Waits until `needle` is on the screen.
    pub fn wait_for(&mut self, needle: &str) {
        let started = Instant::now();
        loop {
            if self.contents().contains(needle) {
                return;
            }
            if started.elapsed() > Duration::from_secs(20) {
                panic!(
                    "waited for {needle:?}; the screen shows:\n{}",
                    self.contents()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `text` (keys arrive one by one, as a person's would).
    pub fn typed(&mut self, text: &str) {
        self.pty.send(text).unwrap();
        self.pty.flush().unwrap();
    }

    /// One key that is a prefix of others (Esc): sent alone, then a pause, so it is not
    /// read as the start of an escape sequence.
    pub fn esc(&mut self) {
        std::thread::sleep(Duration::from_millis(150));
        self.typed("\x1b");
        std::thread::sleep(Duration::from_millis(300));
    }

    pub fn ctrl(&mut self, c: char) {
        self.pty.send_control(c).unwrap();
    }

    /// Waits for tend to end; returns its exit code and the screen after it.
    pub fn finish(&mut self) -> (i32, String) {
        self.wait_for("EXIT=");
        let text = self.contents();
        let code = text
            .split("EXIT=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        (code, text)
    }
}
