//! Talking to the agent: status, handing a key over, locking, and a [`KeyHolder`] through
//! which a journal seals and opens with the agent's key.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tend_store::{KeyHolder, SealingKey};
use zeroize::Zeroizing;

use crate::Error;
use crate::protocol::{self, Builder, JournalId, Status, encode, status};

/// Open requests are cut into frames of about this many bytes.
const OPEN_CHUNK: usize = 8 << 20;

/// A connection (or a few, one per thread that asks at once) to the agent.
#[derive(Debug)]
pub struct Client {
    socket: PathBuf,
    pool: Mutex<Vec<UnixStream>>,
}

fn connect_checked(socket: &Path) -> Result<Option<UnixStream>, Error> {
    let stream = match UnixStream::connect(socket) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    // The agent must be this user's: a key is never handed to anyone else's process.
    if crate::sys::peer_uid(&stream) != Some(crate::sys::user_id()) {
        return Err(Error::OtherUser(socket.to_owned()));
    }
    Ok(Some(stream))
}

impl Client {
    /// Connects to the agent at `socket`; `None` when no agent is listening there. The
    /// socket's folder must be this user's private folder, and the agent this user's.
    pub fn connect(socket: &Path) -> Result<Option<Client>, Error> {
        if let Some(dir) = socket.parent() {
            match crate::paths::check_private(dir) {
                Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(None);
                }
                other => other?,
            }
        }
        Ok(connect_checked(socket)?.map(|s| Client {
            socket: socket.to_owned(),
            pool: Mutex::new(vec![s]),
        }))
    }

    /// Starts an agent by running `program` with `args` (detached, with no terminal and
    /// no standard streams) and connects to it once it listens at `socket`.
    pub fn start(program: &Path, args: &[&str], socket: &Path) -> Result<Client, Error> {
        std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let started = Instant::now();
        loop {
            if let Some(c) = Self::connect(socket)? {
                return Ok(c);
            }
            if started.elapsed() > Duration::from_secs(5) {
                return Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the agent did not start listening",
                )));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Sends one request frame and reads the answer into `answer` (its status byte first).
    fn ask(&self, frame: &mut Builder, answer: &mut Zeroizing<Vec<u8>>) -> Result<u8, Error> {
        let bytes = frame
            .finish()
            .ok_or_else(|| Error::Refused("the request is too large".into()))?;
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut tries = 0;
        let mut stream = pooled;
        loop {
            tries += 1;
            let mut s = match stream.take() {
                Some(s) => s,
                None => connect_checked(&self.socket)?.ok_or_else(|| {
                    Error::Io(std::io::Error::new(
                        std::io::ErrorKind::NotConnected,
                        "the agent is not running",
                    ))
                })?,
            };
            let sent = s
                .write_all(bytes)
                .and_then(|()| protocol::read_frame(&mut s, answer));
            match sent {
                Ok(true) if !answer.is_empty() => {
                    self.pool.lock().unwrap_or_else(|p| p.into_inner()).push(s);
                    return Ok(answer[0]);
                }
                // A pooled connection the agent had closed (it closes idle ones): once more
                // on a new one.
                _ if tries == 1 => continue,
                Ok(_) => return Err(Error::Garbled),
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// What the agent holds. Does not count as use of any key.
    pub fn status(&self) -> Result<Status, Error> {
        let mut answer = Zeroizing::new(Vec::new());
        match self.ask(&mut encode::status(), &mut answer)? {
            status::OK => protocol::decode_status(&answer[1..]).ok_or(Error::Garbled),
            _ => Err(Error::Garbled),
        }
    }

    /// Hands `key` over, to be held for `idle` unused and `limit` at most.
    pub fn add(
        &self,
        key: &SealingKey,
        idle: Duration,
        limit: Duration,
        label: &str,
    ) -> Result<(), Error> {
        let mut answer = Zeroizing::new(Vec::new());
        let mut frame = encode::add(&key.journal_id(), key.expose_bytes(), idle, limit, label);
        match self.ask(&mut frame, &mut answer)? {
            status::OK => Ok(()),
            _ => Err(Error::Garbled),
        }
    }

    /// Forgets one journal's key, or every key (then the agent stops).
    pub fn lock(&self, journal: Option<&JournalId>) -> Result<(), Error> {
        let mut answer = Zeroizing::new(Vec::new());
        match self.ask(&mut encode::lock(journal), &mut answer)? {
            status::OK => Ok(()),
            _ => Err(Error::Garbled),
        }
    }

    /// A key holder for `journal`, through this client.
    pub fn holder(self: &Arc<Self>, journal: JournalId) -> AgentKey {
        AgentKey {
            client: self.clone(),
            journal,
        }
    }
}

/// A journal's key as the agent holds it: every seal, open and MAC is a request.
#[derive(Debug)]
pub struct AgentKey {
    client: Arc<Client>,
    journal: JournalId,
}

impl AgentKey {
    fn ask_ok(&self, mut frame: Builder) -> Option<Zeroizing<Vec<u8>>> {
        let mut answer = Zeroizing::new(Vec::new());
        match self.client.ask(&mut frame, &mut answer) {
            Ok(status::OK) => Some(answer),
            _ => None,
        }
    }

    fn open_chunk(&self, table: &str, items: &mut [(&[u8], &mut [u8])]) -> Option<Vec<bool>> {
        let answer = self.ask_ok(encode::open(&self.journal, table, items))?;
        let n = items.len();
        let flags = answer.get(1..1 + n)?;
        let mut at = 1 + n;
        if answer.len() != at + items.iter().map(|(_, s)| s.len()).sum::<usize>() {
            return None;
        }
        for (_, sealed) in items.iter_mut() {
            sealed.copy_from_slice(&answer[at..at + sealed.len()]);
            at += sealed.len();
        }
        Some(flags.iter().map(|f| *f == 1).collect())
    }
}

impl KeyHolder for AgentKey {
    fn journal_id(&self) -> [u8; 16] {
        self.journal
    }

    fn seal(&self, table: &str, key: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
        let answer = self.ask_ok(encode::seal(&self.journal, table, key, plaintext))?;
        Some(answer[1..].to_vec())
    }

    fn open_many(&self, table: &str, items: &mut [(&[u8], &mut [u8])]) -> Option<Vec<bool>> {
        let mut out = Vec::with_capacity(items.len());
        let mut start = 0;
        while start < items.len() {
            let mut end = start;
            let mut bytes = 0;
            while end < items.len() && (end == start || bytes + items[end].1.len() <= OPEN_CHUNK) {
                bytes += items[end].1.len() + items[end].0.len();
                end += 1;
            }
            out.extend(self.open_chunk(table, &mut items[start..end])?);
            start = end;
        }
        Some(out)
    }

    fn mac(&self, table: &str, key: &[u8], value: &[u8]) -> Option<[u8; 32]> {
        let answer = self.ask_ok(encode::mac(&self.journal, table, key, value))?;
        answer.get(1..)?.try_into().ok()
    }

    fn mac_many(&self, table: &str, items: &[(&[u8], &[u8])]) -> Option<Vec<[u8; 32]>> {
        let mut out = Vec::with_capacity(items.len());
        for chunk in chunks(items.iter().map(|(k, v)| k.len() + v.len())) {
            let items = &items[chunk];
            match self.ask_ok(encode::mac_many(&self.journal, table, items)) {
                Some(answer) if answer.len() == 1 + 32 * items.len() => {
                    out.extend(answer[1..].chunks_exact(32).map(|m| {
                        let mut mac = [0u8; 32];
                        mac.copy_from_slice(m);
                        mac
                    }));
                }
                // An agent from before batched MACs closes the connection on the request:
                // one at a time then (a stopped agent fails these too, and is noticed).
                _ => {
                    for (key, value) in items {
                        out.push(self.mac(table, key, value)?);
                    }
                }
            }
        }
        Some(out)
    }
}

/// Cuts items of these sizes into runs of about [`OPEN_CHUNK`] bytes (at least one each).
fn chunks(sizes: impl Iterator<Item = usize>) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut bytes, mut end) = (0, 0, 0);
    for (i, size) in sizes.enumerate() {
        if i > start && bytes + size > OPEN_CHUNK {
            out.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
        end = i + 1;
    }
    if end > start {
        out.push(start..end);
    }
    out
}
