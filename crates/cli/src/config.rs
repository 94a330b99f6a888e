//! tend's settings: a small TOML file in the platform config folder, with environment
//! variables that win over it: the agent's timers, and where sync finds its credentials.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use serde::Deserialize;

use crate::failure::fail;

/// The variable naming another config file.
pub const CONFIG_ENV: &str = "TEND_CONFIG";
/// How long the agent keeps a journal unlocked without use.
pub const IDLE_ENV: &str = "TEND_AGENT_IDLE_TIMEOUT";
/// How long the agent keeps a journal unlocked at most.
pub const LIMIT_ENV: &str = "TEND_AGENT_ABSOLUTE_LIMIT";
/// Whether a command that asked for the passphrase starts the agent.
pub const START_ENV: &str = "TEND_AGENT_START_ON_UNLOCK";

const DEFAULT_IDLE: Duration = Duration::from_secs(10 * 60);
const DEFAULT_LIMIT: Duration = Duration::from_secs(2 * 60 * 60);
/// The longest either timer may be set to.
const LONGEST: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    agent: AgentFile,
    #[serde(default)]
    sync: SyncFile,
}

/// Sync's credentials: names and addresses as text, secrets only as a command that prints
/// them (a password manager's), never the secret itself.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncFile {
    /// The WebDAV user (`TEND_SYNC_USER` wins).
    pub user: Option<String>,
    /// A command printing the WebDAV password (`TEND_SYNC_PASSWORD` wins).
    pub password_command: Option<String>,
    /// The S3 access key id (`AWS_ACCESS_KEY_ID` wins).
    pub access_key_id: Option<String>,
    /// A command printing the S3 secret access key (`AWS_SECRET_ACCESS_KEY` wins).
    pub secret_key_command: Option<String>,
    /// The S3 endpoint (`AWS_ENDPOINT` wins).
    pub endpoint: Option<String>,
    /// The S3 region (`AWS_REGION` wins).
    pub region: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentFile {
    idle_timeout: Option<String>,
    absolute_limit: Option<String>,
    start_on_unlock: Option<bool>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Built in.
    Default,
    /// The config file.
    File,
    /// An environment variable.
    Env(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File => f.write_str("config file"),
            Source::Env(name) => write!(f, "{name}"),
        }
    }
}

/// The effective settings, each with its source.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file's path (it need not exist).
    pub path: PathBuf,
    /// Whether the file exists.
    pub exists: bool,
    /// The agent's idle timeout.
    pub idle: (Duration, Source),
    /// The agent's absolute limit.
    pub limit: (Duration, Source),
    /// Whether a command that asked for the passphrase hands the key to the agent.
    pub start_on_unlock: (bool, Source),
    /// Sync's credentials from the file (the environment wins over each).
    pub sync: SyncFile,
}

/// The config file's path: `TEND_CONFIG`, or `config.toml` in tend's config folder.
pub fn path() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("org", "tend", "tend").ok_or_else(|| {
        fail("tend could not find a config folder")
            .hint(format!("set {CONFIG_ENV} to the path of a config file"))
    })?;
    Ok(dirs.config_dir().join("config.toml"))
}

/// Reads a duration as people write it: `90s`, `10m`, `2h`, `1h30m` (a bare number is
/// minutes).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(minutes) = text.parse::<u64>() {
        return Some(Duration::from_secs(minutes.checked_mul(60)?));
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    if !number.is_empty() || total == 0 {
        return None;
    }
    Some(Duration::from_secs(total))
}

/// Shows a duration the way [`parse_duration`] reads it.
pub fn show_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

fn duration_setting(
    name: &str,
    env: &'static str,
    from_file: Option<&str>,
    default: Duration,
    path: &std::path::Path,
) -> Result<(Duration, Source)> {
    let check = |text: &str, from: &str| -> Result<Duration> {
        match parse_duration(text) {
            Some(d) if d <= LONGEST => Ok(d),
            _ => Err(fail(format!(
                "{from}: {name} {text:?} is not a duration tend takes"
            ))
            .hint("write it like 90s, 10m, 2h or 1h30m (at most 24h)")
            .into()),
        }
    };
    if let Some(v) = std::env::var(env).ok().filter(|v| !v.is_empty()) {
        return Ok((check(&v, env)?, Source::Env(env)));
    }
    if let Some(v) = from_file {
        return Ok((check(v, &path.display().to_string())?, Source::File));
    }
    Ok((default, Source::Default))
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Reads the settings: the file if there is one, then the environment over it.
pub fn load() -> Result<Config> {
    let path = path()?;
    let (file, exists) = match std::fs::read_to_string(&path) {
        Ok(text) => {
            let file: File = toml::from_str(&text).map_err(|e| {
                let first = e.message().lines().next().unwrap_or("unreadable").to_owned();
                fail(format!("{}: {first}", path.display()))
                    .hint("the settings are idle_timeout, absolute_limit and start_on_unlock under [agent], and user, password_command, access_key_id, secret_key_command, endpoint and region under [sync]; `tend config --help` shows them")
            })?;
            (file, true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (File::default(), false),
        Err(e) => {
            return Err(fail(format!("could not read {}: {e}", path.display()))
                .hint(format!(
                    "fix its permissions, or point {CONFIG_ENV} elsewhere"
                ))
                .into());
        }
    };
    let idle = duration_setting(
        "idle_timeout",
        IDLE_ENV,
        file.agent.idle_timeout.as_deref(),
        DEFAULT_IDLE,
        &path,
    )?;
    let limit = duration_setting(
        "absolute_limit",
        LIMIT_ENV,
        file.agent.absolute_limit.as_deref(),
        DEFAULT_LIMIT,
        &path,
    )?;
    let start_on_unlock = match std::env::var(START_ENV).ok().filter(|v| !v.is_empty()) {
        Some(v) => (
            parse_bool(&v).ok_or_else(|| {
                fail(format!("{START_ENV} must be yes or no, not {v:?}"))
                    .hint("use 1/0, true/false, yes/no or on/off")
            })?,
            Source::Env(START_ENV),
        ),
        None => match file.agent.start_on_unlock {
            Some(b) => (b, Source::File),
            None => (true, Source::Default),
        },
    };
    Ok(Config {
        path,
        exists,
        idle,
        limit,
        start_on_unlock,
        sync: file.sync,
    })
}

/// A credential for sync: the environment variable `var` if set, else what the config file's
/// `[sync]` section gives for it (running the command for a secret).
pub fn sync_credential(var: &str, file: &SyncFile) -> Result<Option<String>> {
    if let Some(v) = std::env::var(var).ok().filter(|v| !v.is_empty()) {
        return Ok(Some(v));
    }
    let (value, command, setting) = match var {
        "TEND_SYNC_USER" => (file.user.clone(), None, "user"),
        "TEND_SYNC_PASSWORD" => (None, file.password_command.clone(), "password_command"),
        "AWS_ACCESS_KEY_ID" => (file.access_key_id.clone(), None, "access_key_id"),
        "AWS_SECRET_ACCESS_KEY" => (None, file.secret_key_command.clone(), "secret_key_command"),
        "AWS_ENDPOINT" => (file.endpoint.clone(), None, "endpoint"),
        "AWS_REGION" => (file.region.clone(), None, "region"),
        _ => (None, None, ""),
    };
    if value.is_some() {
        return Ok(value);
    }
    let Some(command) = command else {
        return Ok(None);
    };
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| fail(format!("could not run sync.{setting}: {e}")))?;
    if !output.status.success() {
        return Err(
            fail(format!("sync.{setting} exited with {}", output.status))
                .hint("run the command by hand to see what it says")
                .into(),
        );
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| fail(format!("sync.{setting} printed something that is not text")))?;
    match text.lines().next().map(str::trim_end) {
        Some(line) if !line.is_empty() => Ok(Some(line.to_owned())),
        _ => Err(fail(format!("sync.{setting} printed nothing"))
            .hint("it should print the secret on its first line")
            .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("15"), Some(Duration::from_secs(900)));
        for bad in ["", "m", "10x", "0s", "10m5", "-1m", "1.5h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        for d in [1, 59, 60, 61, 3600, 5400, 86400] {
            let d = Duration::from_secs(d);
            assert_eq!(parse_duration(&show_duration(d)), Some(d));
        }
    }
}
