//! Locks every journal when logind says the machine is about to sleep or this session was
//! locked. The timers do not need this (they count sleep); it closes the gap between the
//! lid shutting and the next look at the clock, and covers a locked screen.
//!
//! One thread of its own, driving zbus with `zbus::block_on`: the agent has no async runtime
//! and does not grow one. Without a system bus, or without logind on it, the thread ends
//! quietly and the timers alone hold.

use std::pin::Pin;

use futures_core::Stream;
use zbus::message::Type;
use zbus::{Connection, MatchRule, MessageStream, OwnedObjectPath};

const LOGIND: &str = "org.freedesktop.login1";
const MANAGER_PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";

/// Why the agent locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// `PrepareForSleep(true)`: the machine is about to suspend or hibernate.
    Sleep,
    /// `Session.Lock` on this agent's own session.
    SessionLock,
}

/// Starts the thread that listens to logind on the system bus (`DBUS_SYSTEM_BUS_ADDRESS`, or
/// the platform's default socket) and calls `lock` on each sleep or session lock.
pub(crate) fn spawn(lock: impl Fn(Reason) + Send + 'static) {
    let _ = std::thread::Builder::new()
        .name("logind".into())
        .spawn(move || {
            // Any failure means "no logind to listen to": nothing to say, the timers hold.
            let _ = zbus::block_on(listen(&lock));
        });
}

async fn listen(lock: &impl Fn(Reason)) -> zbus::Result<()> {
    let conn = Connection::system().await?;
    // Subscribe before asking anything, so that no signal falls between the two.
    let rule = MatchRule::builder()
        .msg_type(Type::Signal)
        .path_namespace(MANAGER_PATH)
        .build()?;
    let mut signals = MessageStream::for_match_rule(rule, &conn, None).await?;
    let session = own_session(&conn).await;
    // A delay lock makes logind wait (a few seconds at most) until the keys are gone before
    // the machine sleeps, which matters most for hibernation: the memory image is written
    // to disk, locked pages included. Closing the descriptor releases it.
    let mut delay = inhibit_sleep(&conn).await;

    while let Some(message) = std::future::poll_fn(|cx| Pin::new(&mut signals).poll_next(cx)).await
    {
        let Ok(message) = message else { continue };
        let header = message.header();
        let (Some(interface), Some(member)) = (header.interface(), header.member()) else {
            continue;
        };
        let reason = match (interface.as_str(), member.as_str()) {
            (MANAGER, "PrepareForSleep") => {
                match message.body().deserialize::<bool>() {
                    Ok(true) => Some(Reason::Sleep),
                    Ok(false) => {
                        // Woken up: take a new delay lock for the next sleep.
                        if delay.is_none() {
                            delay = inhibit_sleep(&conn).await;
                        }
                        None
                    }
                    Err(_) => None,
                }
            }
            (SESSION, "Lock") => {
                let ours = match (&session, header.path()) {
                    (Some(s), Some(p)) => s.as_str() == p.as_str(),
                    _ => false,
                };
                ours.then_some(Reason::SessionLock)
            }
            _ => None,
        };
        if let Some(reason) = reason {
            lock(reason);
            // The keys are gone: let the machine sleep.
            drop(delay.take());
        }
    }
    Ok(())
}

/// This process's logind session: by `XDG_SESSION_ID` when it is set, else by process id
/// (logind reads it from the process's cgroup). `None` outside any session.
async fn own_session(conn: &Connection) -> Option<OwnedObjectPath> {
    let reply = match std::env::var("XDG_SESSION_ID") {
        Ok(id) if !id.is_empty() => {
            conn.call_method(
                Some(LOGIND),
                MANAGER_PATH,
                Some(MANAGER),
                "GetSession",
                &(id.as_str(),),
            )
            .await
        }
        _ => {
            conn.call_method(
                Some(LOGIND),
                MANAGER_PATH,
                Some(MANAGER),
                "GetSessionByPID",
                &(std::process::id(),),
            )
            .await
        }
    };
    reply.ok()?.body().deserialize::<OwnedObjectPath>().ok()
}

/// A delay lock on sleep, held until dropped; `None` if logind does not grant one.
async fn inhibit_sleep(conn: &Connection) -> Option<zbus::OwnedFd> {
    let reply = conn
        .call_method(
            Some(LOGIND),
            MANAGER_PATH,
            Some(MANAGER),
            "Inhibit",
            &(
                "sleep",
                "tend",
                "Forgets unlocked journal keys before the machine sleeps",
                "delay",
            ),
        )
        .await
        .ok()?;
    reply.body().deserialize::<zbus::OwnedFd>().ok()
}
