//! One file per subcommand: its flags (doc comments are its help) and its `run`.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::cli::Cli;
use crate::context::Ctx;

mod agent;
mod check;
mod commit;
mod completions;
mod config;
mod consent;
mod delete;
mod edit;
mod export;
mod import;
mod init;
mod insights;
mod key;
mod list;
mod lock;
mod man;
mod recovery;
mod reflect;
mod repair;
mod retreat;
mod search;
mod share;
mod show;
mod status;
mod sync;
mod ui;
mod unlock;
mod values;
mod write;

/// What tend can do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the full-screen interface (write, look back, commitments, insights, share)
    Ui(ui::Ui),
    /// Create a journal
    Init(init::Init),
    /// Unlock the journal for this sitting (asks for the passphrase once)
    Unlock(unlock::Unlock),
    /// Lock now: the next command asks for the passphrase again
    Lock(lock::Lock),
    /// Say whether the journal is unlocked, and until when
    Status(status::Status),
    /// Show where the config file is and what is set
    Config(config::Config),
    /// The agent that keeps a journal unlocked (started by tend itself)
    #[command(subcommand, hide = true)]
    Agent(agent::AgentCommand),
    /// Write a reflection (from the arguments, from stdin, or in your editor)
    Write(write::Write),
    /// Be asked your values' prompts one at a time, then save what you wrote
    Reflect(reflect::Reflect),
    /// List reflections, newest first
    List(list::List),
    /// Find reflections holding every one of some words
    Search(search::Search),
    /// Show one reflection
    Show(show::Show),
    /// Change a reflection's text, values, tags or date
    Edit(edit::Edit),
    /// Delete a reflection for good
    Delete(delete::Delete),
    /// Commitments: make, keep, renegotiate or release them
    #[command(subcommand)]
    Commit(commit::CommitCommand),
    /// Repair after harm: self-reflection, apology, repair, changed behaviour
    #[command(subcommand)]
    Repair(repair::RepairCommand),
    /// How your reflections, commitments and repairs have gone over time
    Insights(insights::Insights),
    /// See, change, import and check the values pack
    #[command(subcommand)]
    Values(values::ValuesCommand),
    /// Share a consented, encrypted contribution for a retreat
    Share(share::Share),
    /// See and revoke the contributions you consented to
    #[command(subcommand)]
    Consent(consent::ConsentCommand),
    /// Retreats: join one (members); keygen, roster and build the summary (facilitators); plan
    /// and aggregate a co-facilitated one
    #[command(subcommand)]
    Retreat(retreat::RetreatCommand),
    /// Manage how the journal unlocks: passphrases and identity files
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Recovery through trusted members: k of n trustees can help you back in
    #[command(subcommand)]
    Recovery(recovery::RecoveryCommand),
    /// Sync this journal with your other devices through a folder, WebDAV or S3
    ///
    /// With no command: send what changed here and bring in what changed on your other
    /// devices. Set it up once with `tend sync init REMOTE` on the first device and `tend sync
    /// join REMOTE` on each other one.
    ///
    /// REMOTE is a folder (kept in step by Syncthing or a Nextcloud client),
    /// s3://bucket/prefix or https://host/path (WebDAV). Credentials come from the environment
    /// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT, AWS_REGION; TEND_SYNC_USER,
    /// TEND_SYNC_PASSWORD) or the config file's [sync] section (`tend config --help`), never
    /// the command line. The remote only ever holds sealed objects. See docs/sync.md.
    Sync(sync::Sync),
    /// Open every record and report any that are damaged
    Check(check::Check),
    /// Write everything out as plaintext JSON or Markdown
    Export(export::Export),
    /// Bring in reflections from a tend export or a jrnl JSON export
    Import(import::Import),
    /// Print shell completions
    Completions(completions::Completions),
    /// Print the man page (roff)
    Man(man::Man),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let ctx = Ctx::new(cli.global);
    match cli.command {
        Command::Ui(c) => c.run(&ctx),
        Command::Init(c) => c.run(&ctx),
        Command::Unlock(c) => c.run(&ctx),
        Command::Lock(c) => c.run(&ctx),
        Command::Status(c) => c.run(&ctx),
        Command::Config(c) => c.run(&ctx),
        Command::Agent(c) => c.run(&ctx),
        Command::Write(c) => c.run(&ctx),
        Command::Reflect(c) => c.run(&ctx),
        Command::List(c) => c.run(&ctx),
        Command::Search(c) => c.run(&ctx),
        Command::Show(c) => c.run(&ctx),
        Command::Edit(c) => c.run(&ctx),
        Command::Delete(c) => c.run(&ctx),
        Command::Commit(c) => c.run(&ctx),
        Command::Repair(c) => c.run(&ctx),
        Command::Insights(c) => c.run(&ctx),
        Command::Values(c) => c.run(&ctx),
        Command::Share(c) => c.run(&ctx),
        Command::Consent(c) => c.run(&ctx),
        Command::Retreat(c) => c.run(&ctx),
        Command::Key(c) => c.run(&ctx),
        Command::Recovery(c) => c.run(&ctx),
        Command::Sync(c) => c.run(&ctx),
        Command::Check(c) => c.run(&ctx),
        Command::Export(c) => c.run(&ctx),
        Command::Import(c) => c.run(&ctx),
        Command::Completions(c) => c.run(),
        Command::Man(c) => c.run(),
    }
}

/// The exit code for a command that did what it was asked.
pub fn done() -> Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
