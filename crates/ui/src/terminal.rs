//! The real terminal: raw mode, the alternate screen and mouse reporting on the way in;
//! all of it undone on the way out, after a panic, and on SIGTERM, SIGHUP or SIGQUIT.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use ratatui::crossterm::execute;

use crate::app::{App, Clock};
use crate::error::{Error, Result};
use crate::theme::Theme;
use crate::unlock::{Asked, Opener, PassphraseScreen};

/// How often the loop looks up from waiting for a key, to notice a signal.
const TICK: Duration = Duration::from_millis(200);

/// Puts the terminal back as it was. Safe to call more than once.
fn restore() {
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
    let _ = std::io::stdout().flush();
}

/// Restores the terminal when dropped, however the session ends.
struct Session {
    terminal: DefaultTerminal,
}

impl Session {
    fn start() -> Result<Self> {
        // The panic hook ratatui installs restores the screen; ours also stops the mouse.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        let terminal = ratatui::try_init()?;
        execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;
        Ok(Self { terminal })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        restore();
    }
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ended {
    /// The member chose to leave.
    Left,
    /// A signal (SIGTERM, SIGHUP or SIGQUIT) ended it; the terminal was restored first.
    Signal(i32),
}

/// Runs the whole interface: unlock, then the app, until the member leaves or a signal
/// arrives.
pub fn run(mut opener: Opener) -> Result<Ended> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::NoTerminal);
    }
    // A quiet route first: nothing to draw if the journal will not open at all.
    let journal = opener.open_quietly()?;
    let stop = Arc::new(AtomicBool::new(false));
    // Which signal arrived (0: none yet), so the exit code can say it as a shell expects.
    let caught = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGQUIT,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
        signal_hook::flag::register_usize(signal, Arc::clone(&caught), signal as usize)?;
    }
    let signalled = || match caught.load(Ordering::Relaxed) {
        0 => Ended::Left,
        n => Ended::Signal(i32::try_from(n).unwrap_or(15)),
    };
    let theme = Theme::from_env();
    let mut session = Session::start()?;
    let journal = match journal {
        Some(j) => j,
        None => match ask_passphrase(&mut session, &opener, &theme, &stop) {
            Err(Error::LeftBeforeUnlocking) if stop.load(Ordering::Relaxed) => {
                drop(session);
                return Ok(signalled());
            }
            other => other?,
        },
    };
    let mut app = App::new(journal, Clock::local(), theme)?;
    while !app.should_quit() && !stop.load(Ordering::Relaxed) {
        session.terminal.draw(|frame| app.draw(frame))?;
        if event::poll(TICK)? {
            app.handle(event::read()?);
        }
    }
    drop(session);
    Ok(signalled())
}

fn ask_passphrase(
    session: &mut Session,
    opener: &Opener,
    theme: &Theme,
    stop: &AtomicBool,
) -> Result<tend_store::Journal> {
    let mut screen = PassphraseScreen::new();
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(Error::LeftBeforeUnlocking);
        }
        session.terminal.draw(|frame| screen.draw(frame, theme))?;
        if !event::poll(TICK)? {
            continue;
        }
        let Event::Key(key) = event::read()? else {
            continue;
        };
        if key.kind == event::KeyEventKind::Release {
            continue;
        }
        match screen.key(key) {
            Asked::Typing => {}
            Asked::Leave => return Err(Error::LeftBeforeUnlocking),
            Asked::Try(secret) => {
                session.terminal.draw(|frame| screen.draw(frame, theme))?;
                match opener.open_with(secret) {
                    Ok(journal) => return Ok(journal),
                    Err(e) => screen.refused(&e)?,
                }
            }
        }
    }
}
