//! The agent itself: listens on the socket, checks who connects, holds keys, and forgets
//! them when their time is up.

use std::collections::HashMap;
use std::io::BufReader;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tend_store::SealingKey;
use zeroize::Zeroizing;

use crate::Error;
use crate::protocol::{self, JournalId, Request, status};
use crate::sys;

/// How long a new agent waits for its first key before it stops.
const FIRST_KEY_GRACE: Duration = Duration::from_secs(30);
/// How often the timers are looked at.
const TICK: Duration = Duration::from_millis(250);
/// At most this many connections at once; more are closed at once.
const MAX_CONNECTIONS: usize = 64;

/// A data key in locked memory, zeroised when dropped.
struct LockedKey {
    key: Option<Box<SealingKey>>,
    locked: bool,
}

impl LockedKey {
    fn new(bytes: &[u8; 32], journal: JournalId) -> Self {
        let key = Box::new(SealingKey::from_bytes(bytes, journal));
        let locked = sys::lock_memory(
            (&*key as *const SealingKey).cast(),
            std::mem::size_of::<SealingKey>(),
        );
        Self {
            key: Some(key),
            locked,
        }
    }

    fn get(&self) -> Option<&SealingKey> {
        self.key.as_deref()
    }
}

impl Drop for LockedKey {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let at = (&*key as *const SealingKey).cast::<u8>();
            // Dropping the key zeroises it (its bytes are `Zeroizing`); only then is the
            // memory unlocked.
            drop(key);
            if self.locked {
                sys::unlock_memory(at, std::mem::size_of::<SealingKey>());
            }
        }
    }
}

struct Held {
    key: Arc<LockedKey>,
    label: String,
    since: SystemTime,
    last_used: SystemTime,
    idle: Duration,
    limit: Duration,
}

impl Held {
    fn idle_deadline(&self) -> SystemTime {
        self.last_used + self.idle
    }
    fn limit_deadline(&self) -> SystemTime {
        self.since + self.limit
    }
    fn expired(&self, now: SystemTime) -> bool {
        now >= self.idle_deadline() || now >= self.limit_deadline()
    }
}

struct Shared {
    journals: Mutex<HashMap<JournalId, Held>>,
    ever_held: AtomicBool,
    connections: AtomicUsize,
    socket: PathBuf,
    /// The socket's device and inode, so the agent removes only its own socket.
    ours: Option<(u64, u64)>,
    /// Seconds suspended, when last looked at: a change means the machine slept.
    slept: Mutex<Option<i64>>,
}

impl Shared {
    /// Forgets every key whose time is up, and every key at all if the machine slept
    /// since the last look. Measured in wall-clock time, so sleep counts.
    fn expire(&self) {
        let now = SystemTime::now();
        let slept = sys::slept_seconds();
        let mut last = self.slept.lock().unwrap_or_else(|p| p.into_inner());
        let woke = matches!((*last, slept), (Some(a), Some(b)) if b > a + 1);
        *last = slept;
        drop(last);
        let mut journals = self.journals.lock().unwrap_or_else(|p| p.into_inner());
        if woke {
            journals.clear();
        } else {
            journals.retain(|_, h| !h.expired(now));
        }
    }

    /// Forgets every key and removes the socket, so that no new connection reaches an
    /// agent on its way out (a `tend unlock` right after starts a new one).
    fn forget_all(&self) {
        self.journals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        if self.ours.is_some() && socket_identity(&self.socket) == self.ours {
            let _ = std::fs::remove_file(&self.socket);
        }
    }

    /// Forgets every key and stops.
    fn shut_down(&self) -> ! {
        self.forget_all();
        std::process::exit(0)
    }

    /// The key for `journal`, counted as use (the idle timer starts again).
    fn use_key(&self, journal: &JournalId) -> Option<Arc<LockedKey>> {
        self.expire();
        let mut journals = self.journals.lock().unwrap_or_else(|p| p.into_inner());
        let held = journals.get_mut(journal)?;
        held.last_used = SystemTime::now().max(held.last_used);
        Some(held.key.clone())
    }

    fn status(&self) -> protocol::Status {
        self.expire();
        let journals = self.journals.lock().unwrap_or_else(|p| p.into_inner());
        let mut list: Vec<protocol::Held> = journals
            .iter()
            .map(|(id, h)| protocol::Held {
                journal: *id,
                label: h.label.clone(),
                since: h.since,
                idle_deadline: h.idle_deadline(),
                limit_deadline: h.limit_deadline(),
            })
            .collect();
        list.sort_by(|a, b| a.label.cmp(&b.label));
        protocol::Status {
            pid: std::process::id(),
            journals: list,
        }
    }
}

/// Runs the agent on the socket in `folder` until every key it held is gone (locked or
/// timed out), or no key arrives within half a minute of starting. Returns at once, and
/// successfully, when another agent already answers there.
pub fn serve(folder: &Path) -> Result<(), Error> {
    sys::harden();
    crate::paths::ensure_private(folder)?;
    let socket = folder.join(crate::paths::SOCKET_NAME);
    let listener = match UnixListener::bind(&socket) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            if UnixStream::connect(&socket).is_ok() {
                return Ok(());
            }
            // A socket left by an agent that was killed: nothing listens on it.
            std::fs::remove_file(&socket)?;
            UnixListener::bind(&socket)?
        }
        Err(e) => return Err(e.into()),
    };
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))?;
    }
    let shared = Arc::new(Shared {
        journals: Mutex::new(HashMap::new()),
        ever_held: AtomicBool::new(false),
        connections: AtomicUsize::new(0),
        ours: socket_identity(&socket),
        socket,
        slept: Mutex::new(sys::slept_seconds()),
    });
    {
        let shared = shared.clone();
        std::thread::spawn(move || watch(&shared));
    }
    #[cfg(target_os = "linux")]
    {
        // Suspend or this session's screen lock: everything is forgotten at once.
        let shared = shared.clone();
        crate::logind::spawn(move |_why| shared.shut_down());
    }
    let me = sys::user_id();
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        // Another user's connection is closed before a byte is read.
        if sys::peer_uid(&conn) != Some(me) {
            continue;
        }
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            continue;
        }
        let shared = shared.clone();
        std::thread::spawn(move || {
            let _ = handle(&shared, conn);
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

/// The socket's device and inode, so the agent removes only its own socket on the way out.
fn socket_identity(socket: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(socket)
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

/// The timers: every tick, forget keys whose time is up; stop when nothing is held.
fn watch(shared: &Shared) {
    let started = SystemTime::now();
    loop {
        std::thread::sleep(TICK);
        shared.expire();
        let empty = shared
            .journals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty();
        let waited = SystemTime::now()
            .duration_since(started)
            .unwrap_or_default();
        if empty && (shared.ever_held.load(Ordering::SeqCst) || waited > FIRST_KEY_GRACE) {
            shared.shut_down();
        }
    }
}

/// Serves one connection until it closes or sends something malformed.
fn handle(shared: &Shared, conn: UnixStream) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(300)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut writer = std::io::BufWriter::new(conn);
    let mut buf = Zeroizing::new(Vec::new());
    while protocol::read_frame(&mut reader, &mut buf)? {
        let Some(request) = protocol::decode(&buf) else {
            return Ok(());
        };
        match request {
            Request::Status => {
                let payload = protocol::encode_status(&shared.status());
                protocol::write_answer(&mut writer, status::OK, &[&payload])?;
            }
            Request::Add {
                journal,
                key,
                idle,
                limit,
                label,
            } => {
                let now = SystemTime::now();
                let held = Held {
                    key: Arc::new(LockedKey::new(&key, journal)),
                    label,
                    since: now,
                    last_used: now,
                    idle,
                    limit,
                };
                shared
                    .journals
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(journal, held);
                shared.ever_held.store(true, Ordering::SeqCst);
                protocol::write_answer(&mut writer, status::OK, &[])?;
            }
            Request::Lock(which) => {
                match which {
                    None => {
                        // Gone before the answer, so the next command cannot reach this
                        // agent any more.
                        shared.forget_all();
                        let _ = protocol::write_answer(&mut writer, status::OK, &[]);
                        shared.shut_down();
                    }
                    Some(id) => {
                        shared
                            .journals
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&id);
                        protocol::write_answer(&mut writer, status::OK, &[])?;
                    }
                }
            }
            Request::Seal {
                journal,
                table,
                key,
                data,
            } => match shared.use_key(&journal) {
                None => protocol::write_answer(&mut writer, status::NOT_HELD, &[])?,
                Some(held) => {
                    let Some(k) = held.get() else { return Ok(()) };
                    let sealed = k.seal(&table, &key, &buf[data]);
                    protocol::write_answer(&mut writer, status::OK, &[&sealed])?;
                }
            },
            Request::Mac {
                journal,
                table,
                key,
                data,
            } => match shared.use_key(&journal) {
                None => protocol::write_answer(&mut writer, status::NOT_HELD, &[])?,
                Some(held) => {
                    let Some(k) = held.get() else { return Ok(()) };
                    let mac = k.mac(&table, &key, &buf[data]);
                    protocol::write_answer(&mut writer, status::OK, &[&mac])?;
                }
            },
            Request::MacMany {
                journal,
                table,
                items,
                data,
            } => match shared.use_key(&journal) {
                None => protocol::write_answer(&mut writer, status::NOT_HELD, &[])?,
                Some(held) => {
                    let Some(k) = held.get() else { return Ok(()) };
                    let mut macs = Vec::with_capacity(32 * items.len());
                    let mut at = data;
                    for item in &items {
                        macs.extend_from_slice(&k.mac(&table, &item.key, &buf[at..at + item.len]));
                        at += item.len;
                    }
                    protocol::write_answer(&mut writer, status::OK, &[&macs])?;
                }
            },
            Request::Open {
                journal,
                table,
                items,
                data,
            } => match shared.use_key(&journal) {
                None => protocol::write_answer(&mut writer, status::NOT_HELD, &[])?,
                Some(held) => {
                    let Some(k) = held.get() else { return Ok(()) };
                    let mut opened = Vec::with_capacity(items.len());
                    let mut at = data;
                    for item in &items {
                        let sealed = &mut buf[at..at + item.len];
                        opened.push(u8::from(k.open_in_place(&table, &item.key, sealed)));
                        at += item.len;
                    }
                    protocol::write_answer(&mut writer, status::OK, &[&opened, &buf[data..]])?;
                }
            },
        }
    }
    Ok(())
}
