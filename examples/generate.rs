//! Fills a tend journal with realistic synthetic reflections, for `bench/compare.sh`.
//!
//! Every reflection goes through the library's own write path (`Journal::add_many`, one
//! transaction per batch), so the journal is what daily use would leave behind. With
//! `--jrnl FILE` the same reflections are also written in jrnl's plaintext journal format
//! (`-` for stdout), for `bench/jrnl_encrypt.py` to encrypt with jrnl's own code.
//!
//! ```text
//! cargo run --release --example generate -- --count 10000 --journal j.tend \
//!     --identity id.txt [--jrnl -] [--seed 1] [--passphrase-file pass.txt]
//! ```
//!
//! The text is deterministic for a seed. Two words (`interpreter`, `sliding`) and one tag
//! (`waitlist`) are what the benchmark searches and filters for; the generator prints how many
//! reflections hold them, so both tools can be checked to find the same ones.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tend_core::pack::ValuesPack;
use tend_core::reflection::Reflection;
use tend_store::secrecy::{ExposeSecret, SecretString};
use tend_store::{Journal, NewUnlocker, bundle};

#[path = "../bench/synth.rs"]
mod synth;

use synth::{SEARCH, TAG};

/// Reflections per transaction while filling the journal.
const BATCH: usize = 1000;

struct Args {
    count: usize,
    journal: PathBuf,
    identity: PathBuf,
    jrnl: Option<String>,
    seed: u64,
    passphrase_file: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut count = None;
    let mut journal = None;
    let mut identity = None;
    let mut jrnl = None;
    let mut seed = 1;
    let mut passphrase_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--count" => count = Some(value()?.parse().context("--count takes a number")?),
            "--journal" => journal = Some(PathBuf::from(value()?)),
            "--identity" => identity = Some(PathBuf::from(value()?)),
            "--jrnl" => jrnl = Some(value()?),
            "--seed" => seed = value()?.parse().context("--seed takes a number")?,
            "--passphrase-file" => passphrase_file = Some(PathBuf::from(value()?)),
            other => {
                bail!("unknown flag {other}; see the comment at the top of examples/generate.rs")
            }
        }
    }
    Ok(Args {
        count: count.context("--count N is needed")?,
        journal: journal.context("--journal PATH is needed")?,
        identity: identity.context("--identity FILE is needed")?,
        jrnl,
        seed,
        passphrase_file,
    })
}

/// The identity in `path`, made (as `age-keygen` would) when the file does not exist yet.
fn identity(path: &PathBuf) -> Result<age::x25519::Identity> {
    if !path.exists() {
        let (secret, recipient) = bundle::generate_identity();
        let text = bundle::identity_file_text(&secret, &recipient, Utc::now());
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(path)
            .and_then(|mut f| f.write_all(text.expose_secret().as_bytes()))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    bundle::read_identities(&text)?
        .into_iter()
        .next()
        .context("the identity file holds no identity")
}

/// The reflection as one jrnl entry: `[date time] first line`, the body, then its values and
/// its tags as jrnl's `@tags`.
fn jrnl_entry(r: &Reflection) -> String {
    let values: Vec<String> = r
        .values
        .iter()
        .map(|v| match v.rating {
            Some(n) => format!("{} {n}", v.value),
            None => v.value.clone(),
        })
        .collect();
    let tags: Vec<String> = r.tags.iter().map(|t| format!("@{t}")).collect();
    let mut out = format!(
        "[{}] {}\n",
        r.written.format("%Y-%m-%d %H:%M"),
        r.text.trim_end()
    );
    out.push_str(&format!("\nValues: {}.", values.join(", ")));
    if !tags.is_empty() {
        out.push_str(&format!("\n{}", tags.join(" ")));
    }
    out.push_str("\n\n");
    out
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let identity = identity(&args.identity)?;
    let journal = Journal::create(
        &args.journal,
        &NewUnlocker::Recipient(identity.to_public()),
        &ValuesPack::default_pack(),
        Utc::now(),
    )?;
    if let Some(path) = &args.passphrase_file {
        let pass =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let unlocker = NewUnlocker::Passphrase {
            passphrase: SecretString::from(pass.trim_end_matches(['\r', '\n']).to_owned()),
            work_factor: None, // age's calibrated default, as a real journal has
        };
        journal.add_unlocker(&unlocker, Utc::now())?;
    }
    let mut jrnl: Option<Box<dyn Write>> = match args.jrnl.as_deref() {
        None => None,
        Some("-") => Some(Box::new(std::io::BufWriter::new(std::io::stdout().lock()))),
        Some(path) => Some(Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {path}"))?,
        ))),
    };

    let mut rng = StdRng::seed_from_u64(args.seed);
    let (mut both_words, mut tagged, mut bytes) = (0usize, 0usize, 0usize);
    let mut done = 0;
    while done < args.count {
        let n = BATCH.min(args.count - done);
        let batch: Vec<Reflection> = (done..done + n)
            .map(|i| synth::reflection(&mut rng, i, args.count))
            .collect();
        for r in &batch {
            let lower = r.text.to_lowercase();
            both_words += usize::from(SEARCH.iter().all(|w| lower.contains(w)));
            tagged += usize::from(r.tags.iter().any(|t| t == TAG));
            bytes += r.text.len();
            if let Some(out) = jrnl.as_mut() {
                out.write_all(jrnl_entry(r).as_bytes())?;
            }
        }
        journal.add_many(&batch)?;
        done += n;
    }
    if let Some(mut out) = jrnl {
        out.flush()?;
    }
    eprintln!(
        "generated {} reflections ({:.1} MiB of text, {} bytes each on average): {} hold \"{}\", {} are tagged {TAG}",
        args.count,
        bytes as f64 / 1_048_576.0,
        bytes / args.count.max(1),
        both_words,
        SEARCH.join(" "),
        tagged,
    );
    Ok(())
}
