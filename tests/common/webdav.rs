//! A real WebDAV server for sync tests: `rclone serve webdav` (Debian's rclone, installed by
//! scripts/install-test-tools.sh), with a user and password, started here and stopped when
//! the [`Server`] is dropped.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The WebDAV user the server accepts.
pub const USER: &str = "member";
/// Its password.
pub const PASSWORD: &str = "a long webdav password";

pub struct Server {
    child: Child,
    /// The journal folder's address on the server.
    pub url: String,
    /// The folder the server serves.
    pub dir: tempfile::TempDir,
}

impl Drop for Server {
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

/// Starts a server on a free port of 127.0.0.1 over a new temporary folder.
pub fn serve() -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let child = Command::new("rclone")
        .args([
            "serve",
            "webdav",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--user",
            USER,
            "--pass",
            PASSWORD,
        ])
        .arg(dir.path())
        .env_clear()
        .env("HOME", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rclone runs (scripts/install-test-tools.sh installs it)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "rclone serve webdav did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server {
        child,
        url: format!("http://127.0.0.1:{port}/journal"),
        dir,
    }
}
