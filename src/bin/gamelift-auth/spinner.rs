//! A progress line on stderr while a command waits on the network.
//!
//! Drawn only when stderr is a terminal (never in pipes, logs or tests), and only once the wait
//! has lasted a moment, so that a fast call shows nothing. The line is erased when the
//! [`Spinner`] is dropped, before anything else is printed.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a wait lasts before the line appears.
const SHOW_AFTER: Duration = Duration::from_millis(200);
/// Time between frames.
const FRAME: Duration = Duration::from_millis(100);
const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// A running progress line; dropping it stops and erases it.
pub struct Spinner {
    running: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

impl Spinner {
    /// Starts a line saying `what` ("Getting a compute auth token") when stderr is a terminal;
    /// otherwise does nothing.
    pub fn start(what: &str) -> Spinner {
        if !std::io::stderr().is_terminal() {
            return Spinner { running: None };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let what = what.to_owned();
        let spawned = std::thread::Builder::new()
            .name("spinner".into())
            .spawn(move || draw(&what, &stopped));
        Spinner {
            running: spawned.ok().map(|handle| (stop, handle)),
        }
    }
}

/// Draws frames until told to stop (or the sender is gone), then erases what it drew.
fn draw(what: &str, stopped: &mpsc::Receiver<()>) {
    if stopped.recv_timeout(SHOW_AFTER) != Err(RecvTimeoutError::Timeout) {
        return;
    }
    let started = Instant::now();
    let mut widest = 0;
    for frame in FRAMES.iter().cycle() {
        let line = format!(
            "{frame} {what} ({:.1} s)",
            (started.elapsed() + SHOW_AFTER).as_secs_f32()
        );
        widest = widest.max(line.chars().count());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}");
        let _ = err.flush();
        drop(err);
        if stopped.recv_timeout(FRAME) != Err(RecvTimeoutError::Timeout) {
            break;
        }
    }
    // Spaces rather than an escape sequence: works on any terminal.
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{:widest$}\r", "");
    let _ = err.flush();
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some((stop, handle)) = self.running.take() {
            let _ = stop.send(());
            let _ = handle.join();
        }
    }
}
