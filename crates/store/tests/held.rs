//! A journal opened with a key someone else holds (the agent's seam): it reads and writes
//! as with its own key, is never opened with another journal's key, and refuses to commit
//! once the holder stops answering.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use age::secrecy::SecretString;
use chrono::{NaiveDate, Utc};
use tend_core::pack::ValuesPack;
use tend_core::reflection::{Filter, Query, Reflection};
use tend_store::{Error, Journal, KeyHolder, NewUnlocker, OpenOptions, SealingKey, Secret};

struct Holder {
    key: SealingKey,
    gone: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
}

impl KeyHolder for Holder {
    fn journal_id(&self) -> [u8; 16] {
        self.key.journal_id()
    }
    fn seal(&self, table: &str, key: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        (!self.gone.load(Ordering::SeqCst)).then(|| self.key.seal(table, key, plaintext))
    }
    fn open_many(&self, table: &str, items: &mut [(&[u8], &mut [u8])]) -> Option<Vec<bool>> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if self.gone.load(Ordering::SeqCst) {
            return None;
        }
        Some(
            items
                .iter_mut()
                .map(|(k, s)| self.key.open_in_place(table, k, s))
                .collect(),
        )
    }
    fn mac(&self, table: &str, key: &[u8], value: &[u8]) -> Option<[u8; 32]> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        (!self.gone.load(Ordering::SeqCst)).then(|| self.key.mac(table, key, value))
    }
    fn mac_many(&self, table: &str, items: &[(&[u8], &[u8])]) -> Option<Vec<[u8; 32]>> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        (!self.gone.load(Ordering::SeqCst)).then(|| {
            items
                .iter()
                .map(|(k, v)| self.key.mac(table, k, v))
                .collect()
        })
    }
}

fn pass() -> Secret {
    Secret::Passphrase(SecretString::from("words".to_owned()))
}

fn make(path: &std::path::Path) -> Journal {
    let unlocker = NewUnlocker::Passphrase {
        passphrase: SecretString::from("words".to_owned()),
        work_factor: Some(4),
    };
    Journal::create(path, &unlocker, &ValuesPack::default_pack(), Utc::now()).expect("create")
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("date")
}

fn holder(key: SealingKey) -> Box<dyn KeyHolder> {
    Box::new(Holder {
        key,
        gone: Arc::default(),
        requests: Arc::default(),
    })
}

#[test]
fn a_held_key_reads_and_writes_like_the_journal_s_own() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.tend");
    let j = make(&path);
    let texts: Vec<Reflection> = (0..3000)
        .map(|i| Reflection::new(format!("reflection {i} about the rota"), day(), Utc::now()))
        .collect();
    j.add_many(&texts).expect("add");
    let key = j.sealing_key().expect("held here");
    drop(j);

    let gone = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicUsize::new(0));
    let held = Holder {
        key,
        gone: gone.clone(),
        requests: requests.clone(),
    };
    let mut j = Journal::open_held(&path, &OpenOptions::default(), |_| Some(Box::new(held)))
        .expect("opens")
        .expect("the held key is this journal's");
    assert!(j.key_is_held() && j.sealing_key().is_none());
    let id = j
        .add(&Reflection::new(
            "written through the holder",
            day(),
            Utc::now(),
        ))
        .expect("add");
    assert_eq!(
        j.get::<Reflection>(id).expect("get").text,
        "written through the holder"
    );
    assert_eq!(j.entries().expect("entries").records.len(), 3001);
    let before = requests.load(Ordering::SeqCst);
    let found = j
        .search(&Query::new(&["rota", "2999"]), &Filter::default())
        .expect("search");
    assert_eq!(found.records.len(), 1);
    assert!(found.damaged.is_empty());
    let used = requests.load(Ordering::SeqCst) - before;
    assert!(
        used < 20,
        "search opens in batches, not one request a record ({used})"
    );
    let before = requests.load(Ordering::SeqCst);
    let report = j.check().expect("check");
    assert!(report.is_ok(), "{report:?}");
    let used = requests.load(Ordering::SeqCst) - before;
    assert!(
        used < 40,
        "check opens and MACs in batches, not one request a record ({used})"
    );
    assert!(matches!(
        j.add_unlocker(
            &NewUnlocker::Recipient(age::x25519::Identity::generate().to_public()),
            Utc::now()
        ),
        Err(Error::KeyWithAgent)
    ));

    // The holder goes away mid-command: nothing is committed, and reads say why.
    gone.store(true, Ordering::SeqCst);
    assert!(matches!(
        j.add(&Reflection::new("lost?", day(), Utc::now())),
        Err(Error::AgentLost)
    ));
    assert!(matches!(j.entries(), Err(Error::AgentLost)));
    assert!(matches!(j.check(), Err(Error::AgentLost)));
    // A compaction (as `tend delete --purge` runs) does not put a half-made file in place.
    assert!(matches!(j.compact(&mut |_, _| {}), Err(Error::AgentLost)));
    drop(j);
    let j = Journal::open(&path, &pass()).expect("opens");
    assert_eq!(j.entries().expect("entries").records.len(), 3001);
}

#[test]
fn another_journal_s_key_opens_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let first = dir.path().join("a.tend");
    let second = dir.path().join("b.tend");
    let a = make(&first);
    let a_key = a.sealing_key().expect("held here");
    drop(a);
    let b = make(&second);
    let b_id = b.id();
    drop(b);
    // Asked for b's id, a holder of a's key is not used: its id does not match.
    let mut asked = None;
    let opened = Journal::open_held(&second, &OpenOptions::default(), |id| {
        asked = Some(id);
        Some(holder(SealingKey::from_bytes(
            a_key.expose_bytes(),
            a_key.journal_id(),
        )))
    })
    .expect("reads the header");
    assert!(opened.is_none());
    assert_eq!(asked, Some(b_id));
    // Even a's key bytes claimed under b's id fail b's key check.
    let forged = SealingKey::from_bytes(a_key.expose_bytes(), b_id);
    let opened = Journal::open_held(&second, &OpenOptions::default(), |_| Some(holder(forged)))
        .expect("reads the header");
    assert!(opened.is_none());
    // A file that is not a journal is named before any holder is asked.
    let other = dir.path().join("notes.txt");
    std::fs::write(&other, b"just some notes").expect("write");
    assert!(matches!(
        Journal::open_held(&other, &OpenOptions::default(), |_| panic!("not asked")),
        Err(Error::NotAJournal(_) | Error::Damaged(_))
    ));
    assert!(matches!(
        Journal::probe(&other, &OpenOptions::default()),
        Err(Error::NotAJournal(_) | Error::Damaged(_))
    ));
}
