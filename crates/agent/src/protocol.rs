//! The agent's wire format: length-prefixed frames of a small binary encoding.
//!
//! A frame is a little-endian `u32` length and that many bytes, at most [`MAX_FRAME`]. A
//! request starts with its operation byte; an answer with a status byte. Everything that
//! cannot be decoded exactly (a short field, bytes left over, a length that does not add
//! up) is refused, and the agent then closes that connection and nothing else.

use std::io::{Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

/// The largest frame either side sends or accepts: 64 MiB.
pub const MAX_FRAME: usize = 64 << 20;

/// A journal's id, as its file declares it.
pub type JournalId = [u8; 16];

/// The longest idle timeout or absolute limit the agent takes.
pub const LONGEST_TIMER: Duration = Duration::from_secs(7 * 24 * 3600);

/// Operation bytes.
mod op {
    pub const STATUS: u8 = 1;
    pub const ADD: u8 = 2;
    pub const LOCK: u8 = 3;
    pub const SEAL: u8 = 4;
    pub const OPEN: u8 = 5;
    pub const MAC: u8 = 6;
    pub const MAC_MANY: u8 = 7;
}

/// Status bytes of an answer.
pub mod status {
    /// Done; the payload follows.
    pub const OK: u8 = 0;
    /// The agent holds no key for that journal (never had one, or it was locked).
    pub const NOT_HELD: u8 = 1;
    /// Refused; a short reason follows as text.
    pub const REFUSED: u8 = 2;
}

/// One record to open: its key in the table and how many sealed bytes it has in the blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    /// The record's key bytes (bound into its associated data).
    pub key: Vec<u8>,
    /// The length of its sealed bytes.
    pub len: usize,
}

/// A request, decoded. Bytes to seal or open stay in the frame and are named by range.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    /// What the agent holds, and until when. Does not count as use.
    Status,
    /// Hold this key for this journal.
    Add {
        /// The journal's id.
        journal: JournalId,
        /// The data key, which the agent copies into locked memory.
        key: Zeroizing<[u8; 32]>,
        /// Forget it after this long unused.
        idle: Duration,
        /// Forget it after this long at most.
        limit: Duration,
        /// What to call it in `tend status` (the path it was opened at).
        label: String,
    },
    /// Forget one journal's key, or every key (and stop).
    Lock(Option<JournalId>),
    /// Seal the plaintext at `data` of the frame for `key` of `table`.
    Seal {
        /// The journal.
        journal: JournalId,
        /// The record's table.
        table: String,
        /// The record's key.
        key: Vec<u8>,
        /// Where the plaintext lies in the frame.
        data: std::ops::Range<usize>,
    },
    /// Open every item, their sealed bytes back to back from `data` of the frame.
    Open {
        /// The journal.
        journal: JournalId,
        /// The records' table.
        table: String,
        /// The records.
        items: Vec<OpenItem>,
        /// Where their sealed bytes start in the frame (they run to its end).
        data: usize,
    },
    /// The manifest MAC of every item, their values back to back from `data` of the frame
    /// (laid out as for [`Request::Open`]).
    MacMany {
        /// The journal.
        journal: JournalId,
        /// The values' table.
        table: String,
        /// The values (an item's `len` is its value's length).
        items: Vec<OpenItem>,
        /// Where their values start in the frame (they run to its end).
        data: usize,
    },
    /// The manifest MAC of the value at `data` of the frame, stored at `key` of `table`.
    Mac {
        /// The journal.
        journal: JournalId,
        /// The value's table.
        table: String,
        /// The value's key.
        key: Vec<u8>,
        /// Where the value lies in the frame.
        data: std::ops::Range<usize>,
    },
}

/// Reads fields off the front of a frame, refusing anything short.
struct Fields<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn id(&mut self) -> Option<JournalId> {
        self.take(16)?.try_into().ok()
    }
    fn short(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(n as usize)
    }
    fn text(&mut self) -> Option<String> {
        String::from_utf8(self.short()?.to_vec()).ok()
    }
    fn rest(&mut self) -> std::ops::Range<usize> {
        let r = self.at..self.bytes.len();
        self.at = self.bytes.len();
        r
    }
    fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// Writes fields into a frame under construction.
#[derive(Default)]
pub struct Builder {
    /// The frame so far (with room for its length in front).
    pub bytes: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Builder({} bytes)", self.bytes.len())
    }
}

impl Builder {
    /// A frame whose body starts with `first` (an operation or a status byte).
    pub fn new(first: u8, capacity: usize) -> Self {
        let mut bytes = Zeroizing::new(Vec::with_capacity(capacity + 5));
        bytes.extend_from_slice(&[0, 0, 0, 0, first]);
        Self { bytes }
    }
    fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends raw bytes.
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(v);
        self
    }
    fn short(&mut self, v: &[u8]) -> &mut Self {
        let n = u16::try_from(v.len()).unwrap_or(u16::MAX);
        self.u16(n).raw(&v[..n as usize])
    }
    /// The frame, its length filled in; `None` if it would exceed [`MAX_FRAME`].
    pub fn finish(&mut self) -> Option<&[u8]> {
        let body = self.bytes.len() - 4;
        if body > MAX_FRAME {
            return None;
        }
        self.bytes[..4].copy_from_slice(&(body as u32).to_le_bytes());
        Some(&self.bytes)
    }
}

fn secs(d: Duration) -> u64 {
    d.as_secs()
}

/// Requests, encoded.
pub mod encode {
    use super::*;

    /// A status request.
    pub fn status() -> Builder {
        Builder::new(op::STATUS, 0)
    }

    /// Hands a key over.
    pub fn add(
        journal: &JournalId,
        key: &[u8; 32],
        idle: Duration,
        limit: Duration,
        label: &str,
    ) -> Builder {
        let mut b = Builder::new(op::ADD, 80 + label.len());
        b.raw(journal)
            .raw(key)
            .u64(secs(idle))
            .u64(secs(limit))
            .short(label.as_bytes());
        b
    }

    /// Locks one journal, or all.
    pub fn lock(journal: Option<&JournalId>) -> Builder {
        let mut b = Builder::new(op::LOCK, 17);
        match journal {
            None => b.raw(&[0]),
            Some(id) => b.raw(&[1]).raw(id),
        };
        b
    }

    /// Seals `plaintext`.
    pub fn seal(journal: &JournalId, table: &str, key: &[u8], plaintext: &[u8]) -> Builder {
        let mut b = Builder::new(op::SEAL, 40 + table.len() + key.len() + plaintext.len());
        b.raw(journal)
            .short(table.as_bytes())
            .short(key)
            .raw(plaintext);
        b
    }

    /// The MAC of `value`.
    pub fn mac(journal: &JournalId, table: &str, key: &[u8], value: &[u8]) -> Builder {
        let mut b = Builder::new(op::MAC, 40 + table.len() + key.len() + value.len());
        b.raw(journal).short(table.as_bytes()).short(key).raw(value);
        b
    }

    /// Opens `items` (record key, sealed bytes).
    pub fn open(journal: &JournalId, table: &str, items: &[(&[u8], &mut [u8])]) -> Builder {
        many(
            op::OPEN,
            journal,
            table,
            items.iter().map(|(k, s)| (*k, &**s)),
        )
    }

    /// The MACs of `items` (key, value).
    pub fn mac_many(journal: &JournalId, table: &str, items: &[(&[u8], &[u8])]) -> Builder {
        many(op::MAC_MANY, journal, table, items.iter().copied())
    }

    fn many<'a>(
        kind: u8,
        journal: &JournalId,
        table: &str,
        items: impl Iterator<Item = (&'a [u8], &'a [u8])> + Clone,
    ) -> Builder {
        let total: usize = items.clone().map(|(k, s)| k.len() + s.len() + 6).sum();
        let mut b = Builder::new(kind, 40 + table.len() + total);
        b.raw(journal)
            .short(table.as_bytes())
            .u32(items.clone().count() as u32);
        for (key, bytes) in items.clone() {
            b.short(key).u32(bytes.len() as u32);
        }
        for (_, bytes) in items {
            b.raw(bytes);
        }
        b
    }
}

/// Decodes a request body (the frame without its length); `None` for anything malformed.
pub fn decode(body: &[u8]) -> Option<Request> {
    let mut f = Fields { bytes: body, at: 0 };
    let request = match f.u8()? {
        op::STATUS => Request::Status,
        op::ADD => {
            let journal = f.id()?;
            let key = Zeroizing::new(<[u8; 32]>::try_from(f.take(32)?).ok()?);
            let idle = Duration::from_secs(f.u64()?);
            let limit = Duration::from_secs(f.u64()?);
            // Deadlines are the time of use plus these: past a week (tend's settings stop
            // at a day) is malformed, and could not be added to a clock at all near u64::MAX.
            if idle > LONGEST_TIMER || limit > LONGEST_TIMER {
                return None;
            }
            let label = f.text()?;
            Request::Add {
                journal,
                key,
                idle,
                limit,
                label,
            }
        }
        op::LOCK => match f.u8()? {
            0 => Request::Lock(None),
            1 => Request::Lock(Some(f.id()?)),
            _ => return None,
        },
        kind @ (op::SEAL | op::MAC) => {
            let journal = f.id()?;
            let table = f.text()?;
            let key = f.short()?.to_vec();
            let data = f.rest();
            if kind == op::SEAL {
                Request::Seal {
                    journal,
                    table,
                    key,
                    data,
                }
            } else {
                Request::Mac {
                    journal,
                    table,
                    key,
                    data,
                }
            }
        }
        kind @ (op::OPEN | op::MAC_MANY) => {
            let journal = f.id()?;
            let table = f.text()?;
            let n = f.u32()? as usize;
            // Each item takes at least six bytes of the frame: a hostile count cannot make
            // the agent reserve more than the frame it sent.
            if n > body.len() / 6 {
                return None;
            }
            let mut items = Vec::with_capacity(n);
            let mut total = 0usize;
            for _ in 0..n {
                let key = f.short()?.to_vec();
                let len = f.u32()? as usize;
                total = total.checked_add(len)?;
                items.push(OpenItem { key, len });
            }
            let data = f.at;
            if f.take(total)?.len() != total {
                return None;
            }
            if kind == op::OPEN {
                Request::Open {
                    journal,
                    table,
                    items,
                    data,
                }
            } else {
                Request::MacMany {
                    journal,
                    table,
                    items,
                    data,
                }
            }
        }
        _ => return None,
    };
    f.done().then_some(request)
}

/// Reads one frame's body into `buf` (cleared first); `Ok(false)` at a clean end of stream.
/// A frame over [`MAX_FRAME`] is an error.
pub fn read_frame(from: &mut impl Read, buf: &mut Zeroizing<Vec<u8>>) -> std::io::Result<bool> {
    let mut len = [0u8; 4];
    match from.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME || len == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "a frame of the wrong size",
        ));
    }
    buf.clear();
    buf.resize(len, 0);
    from.read_exact(buf.as_mut_slice())?;
    Ok(true)
}

/// Writes an answer: status, then `parts` back to back, as one frame.
pub fn write_answer(to: &mut impl Write, status: u8, parts: &[&[u8]]) -> std::io::Result<()> {
    let len: usize = 1 + parts.iter().map(|p| p.len()).sum::<usize>();
    if len > MAX_FRAME {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "an answer too large for one frame",
        ));
    }
    let mut head = [0u8; 5];
    head[..4].copy_from_slice(&(len as u32).to_le_bytes());
    head[4] = status;
    to.write_all(&head)?;
    for p in parts {
        to.write_all(p)?;
    }
    to.flush()
}

/// One held journal, as `status` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The journal's id.
    pub journal: JournalId,
    /// The path it was unlocked at.
    pub label: String,
    /// When it was handed over.
    pub since: SystemTime,
    /// When it locks unless used before.
    pub idle_deadline: SystemTime,
    /// When it locks whatever happens.
    pub limit_deadline: SystemTime,
}

/// What the agent holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    /// The agent's process id.
    pub pid: u32,
    /// The journals it holds keys for.
    pub journals: Vec<Held>,
}

fn to_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Encodes a status answer's payload.
pub fn encode_status(s: &Status) -> Vec<u8> {
    let mut b = Builder::new(0, 64);
    b.u32(s.pid).u16(s.journals.len() as u16);
    for h in &s.journals {
        b.raw(&h.journal)
            .short(h.label.as_bytes())
            .u64(to_secs(h.since))
            .u64(to_secs(h.idle_deadline))
            .u64(to_secs(h.limit_deadline));
    }
    b.bytes[5..].to_vec()
}

/// Decodes a status answer's payload.
pub fn decode_status(payload: &[u8]) -> Option<Status> {
    let mut f = Fields {
        bytes: payload,
        at: 0,
    };
    let pid = f.u32()?;
    let n = f.u16()?;
    // A time past what the platform can hold is a malformed answer, not a panic.
    let at = |s| UNIX_EPOCH.checked_add(Duration::from_secs(s));
    let mut journals = Vec::new();
    for _ in 0..n {
        journals.push(Held {
            journal: f.id()?,
            label: f.text()?,
            since: at(f.u64()?)?,
            idle_deadline: at(f.u64()?)?,
            limit_deadline: at(f.u64()?)?,
        });
    }
    f.done().then_some(Status { pid, journals })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(b: &mut Builder) -> Vec<u8> {
        b.finish().expect("fits")[4..].to_vec()
    }

    #[test]
    fn requests_round_trip() {
        let id = [3u8; 16];
        let b = body(&mut encode::add(
            &id,
            &[9; 32],
            Duration::from_secs(600),
            Duration::from_secs(7200),
            "j",
        ));
        match decode(&b) {
            Some(Request::Add {
                journal,
                key,
                idle,
                limit,
                label,
            }) => {
                assert_eq!(
                    (
                        journal,
                        *key,
                        idle.as_secs(),
                        limit.as_secs(),
                        label.as_str()
                    ),
                    (id, [9; 32], 600, 7200, "j")
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            decode(&body(&mut encode::lock(None))),
            Some(Request::Lock(None))
        );
        assert_eq!(
            decode(&body(&mut encode::lock(Some(&id)))),
            Some(Request::Lock(Some(id)))
        );
        let mut a = *b"sealed-one";
        let mut c = *b"two";
        let items: Vec<(&[u8], &mut [u8])> = vec![(b"k1", &mut a), (b"", &mut c)];
        let b = body(&mut encode::open(&id, "t", &items));
        match decode(&b) {
            Some(Request::Open { items, data, .. }) => {
                assert_eq!(items.len(), 2);
                assert_eq!(&b[data..], b"sealed-onetwo");
            }
            other => panic!("{other:?}"),
        }
        let items: Vec<(&[u8], &[u8])> = vec![(b"k1", b"value"), (b"k2", b"")];
        let b = body(&mut encode::mac_many(&id, "t", &items));
        match decode(&b) {
            Some(Request::MacMany {
                journal,
                table,
                items,
                data,
            }) => {
                assert_eq!((journal, table.as_str()), (id, "t"));
                assert_eq!(
                    items,
                    vec![
                        OpenItem {
                            key: b"k1".to_vec(),
                            len: 5
                        },
                        OpenItem {
                            key: b"k2".to_vec(),
                            len: 0
                        }
                    ]
                );
                assert_eq!(&b[data..], b"value");
            }
            other => panic!("{other:?}"),
        }
        let s = Status {
            pid: 7,
            journals: vec![Held {
                journal: id,
                label: "x".into(),
                since: UNIX_EPOCH + Duration::from_secs(5),
                idle_deadline: UNIX_EPOCH + Duration::from_secs(6),
                limit_deadline: UNIX_EPOCH + Duration::from_secs(7),
            }],
        };
        assert_eq!(decode_status(&encode_status(&s)), Some(s));
    }

    #[test]
    fn malformed_requests_are_refused() {
        assert_eq!(decode(&[]), None);
        assert_eq!(decode(&[99]), None);
        assert_eq!(decode(&[op::STATUS, 0]), None, "bytes left over");
        assert_eq!(decode(&[op::LOCK, 2]), None);
        let mut open = body(&mut encode::open(
            &[1; 16],
            "t",
            &[(b"k", &mut [0u8; 4][..])],
        ));
        open.pop();
        assert_eq!(decode(&open), None, "blob shorter than its items say");
        let mut huge = vec![op::OPEN];
        huge.extend_from_slice(&[0; 16]);
        huge.extend_from_slice(&[1, 0, b't']);
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&huge), None, "a count larger than the frame");
    }

    #[test]
    fn times_no_clock_can_hold_are_malformed_not_a_panic() {
        // Found by the agent_request fuzz target: a status answer whose times overflow.
        let mut b = Builder::new(status::OK, 64);
        b.u32(7)
            .u16(1)
            .raw(&[0; 16])
            .short(b"j")
            .u64(u64::MAX)
            .u64(1)
            .u64(1);
        assert!(decode_status(&b.bytes[5..]).is_none());
        // And an agent is never asked to add a year to "now".
        for (idle, limit) in [
            (u64::MAX, 60),
            (60, u64::MAX),
            (LONGEST_TIMER.as_secs() + 1, 60),
        ] {
            let mut b = Builder::new(op::ADD, 128);
            b.raw(&[1; 16])
                .raw(&[2; 32])
                .u64(idle)
                .u64(limit)
                .short(b"j");
            assert!(decode(&b.bytes[4..]).is_none(), "{idle} {limit}");
        }
        let mut b = Builder::new(op::ADD, 128);
        b.raw(&[1; 16]).raw(&[2; 32]).u64(600).u64(7200).short(b"j");
        assert!(decode(&b.bytes[4..]).is_some());
    }

    proptest::proptest! {
        #[test]
        fn decoding_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = decode(&bytes);
            let _ = decode_status(&bytes);
        }

        #[test]
        fn frames_round_trip(bytes in proptest::collection::vec(proptest::num::u8::ANY, 1..4096)) {
            let mut out = Vec::new();
            write_answer(&mut out, 0, &[&bytes]).expect("writes");
            let mut buf = Zeroizing::new(Vec::new());
            let mut r = out.as_slice();
            proptest::prop_assert!(read_frame(&mut r, &mut buf).expect("reads"));
            proptest::prop_assert_eq!(&buf[1..], bytes.as_slice());
        }
    }
}
