use std::io::IsTerminal;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use capsim::InputError;
use capsim::cli::{Cli, Command, execute};
use capsim::engine::Observer;
use capsim::error::without_os_error_numbers;
use capsim::say;

/// Progress of a run on stderr: a bar on a terminal; otherwise (R's `system2`, Python's
/// `subprocess`, a scheduler's log) a line when it starts, one every few seconds, and one when
/// the simulation ends.
enum Progress {
    Quiet,
    Bar(ProgressBar),
    Log(LogProgress),
}

/// Seconds between progress lines in a log.
const LOG_EVERY_SECONDS: f64 = 5.0;

struct LogProgress {
    /// When the current batch of replications started (sweeps, corridor and risk-size searches
    /// and --precision run several, each counted from 0).
    start: Mutex<Instant>,
    total: AtomicU64,
    done: AtomicU64,
    last_line: Mutex<Instant>,
}

impl Progress {
    fn for_command(command: &Command) -> Self {
        if !matches!(
            command,
            Command::Run(_)
                | Command::Sweep { .. }
                | Command::Corridor { .. }
                | Command::RiskSize { .. }
        ) {
            return Progress::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            let now = Instant::now();
            return Progress::Log(LogProgress {
                start: Mutex::new(now),
                total: AtomicU64::new(0),
                done: AtomicU64::new(0),
                last_line: Mutex::new(now),
            });
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} replications ({eta} left)",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Progress::Bar(bar)
    }

    fn finish(&self) {
        if let Progress::Bar(b) = self {
            b.finish_and_clear();
        }
    }
}

impl LogProgress {
    fn line(&self, done: u64) {
        let total = self.total.load(Ordering::Relaxed).max(1);
        let elapsed = lock(&self.start).elapsed().as_secs_f64();
        let left = elapsed / done.max(1) as f64 * (total - done.min(total)) as f64;
        say!(
            "capsim: {done}/{total} replications ({:.0}%), {elapsed:.1} s elapsed, about {left:.0} s left",
            100.0 * done as f64 / total as f64
        );
    }
}

/// A progress lock: a panic elsewhere while holding it leaves a time that is still usable.
fn lock(m: &Mutex<Instant>) -> std::sync::MutexGuard<'_, Instant> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Observer for Progress {
    fn stage(&self, what: &str) {
        match self {
            Progress::Bar(b) => b.println(format!("capsim: {what}")),
            Progress::Log(_) => say!("capsim: {what}"),
            Progress::Quiet => {}
        }
    }

    fn started(&self, replications: u64) {
        match self {
            Progress::Bar(b) => {
                b.reset();
                b.set_length(replications);
            }
            Progress::Log(l) => {
                l.total.store(replications, Ordering::Relaxed);
                l.done.store(0, Ordering::Relaxed);
                let now = Instant::now();
                *lock(&l.start) = now;
                *lock(&l.last_line) = now;
                say!(
                    "capsim: simulating {}",
                    capsim::report::count(replications, "replication")
                );
            }
            Progress::Quiet => {}
        }
    }

    fn replication_done(&self) {
        match self {
            Progress::Bar(b) => b.inc(1),
            Progress::Log(l) => {
                let done = l.done.fetch_add(1, Ordering::Relaxed) + 1;
                let finished = done == l.total.load(Ordering::Relaxed);
                let mut last = lock(&l.last_line);
                if finished || last.elapsed().as_secs_f64() >= LOG_EVERY_SECONDS {
                    *last = Instant::now();
                    l.line(done);
                }
            }
            Progress::Quiet => {}
        }
    }
}

/// Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, the shell's convention).
const INTERRUPTED: i32 = 130;

fn main() -> ExitCode {
    // An interrupted run removes the folders it was writing: no hidden leftovers.
    let _ = ctrlc::set_handler(|| {
        say!("interrupted: removing unfinished output");
        capsim::run_folder::staging::remove_unfinished_and_exit(INTERRUPTED);
    });
    let cli = Cli::parse();
    let progress = Progress::for_command(&cli.command);
    let result = execute(cli, &progress);
    progress.finish();
    match result {
        Ok(text) => {
            // A reader that stops early (`capsim schema | head`) closes the pipe: what it
            // did not read is not an error of capsim's.
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    say!("error: writing to standard output: {e}");
                    ExitCode::FAILURE
                }
                _ => ExitCode::SUCCESS,
            }
        }
        Err(err) => {
            // Bad input: say exactly what to fix, exit 2. Anything else: the whole chain, exit 1.
            if let Some(input) = err.downcast_ref::<InputError>() {
                say!("error: {}", without_os_error_numbers(&input.to_string()));
                ExitCode::from(2)
            } else {
                say!("error: {}", without_os_error_numbers(&format!("{err:#}")));
                ExitCode::FAILURE
            }
        }
    }
}
