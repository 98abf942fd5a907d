use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use capsim::InputError;
use capsim::cli::{Cli, Command, execute};
use capsim::engine::Observer;

/// A progress bar on stderr when stderr is a terminal.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn for_command(command: &Command) -> Self {
        if !matches!(command, Command::Run(_)) || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} replications ({eta} left)",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Progress(Some(bar))
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn started(&self, replications: u64) {
        if let Some(b) = &self.0 {
            b.set_length(replications);
        }
    }

    fn replication_done(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }
}

/// Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, the shell's convention).
const INTERRUPTED: i32 = 130;

fn main() -> ExitCode {
    // An interrupted run removes the folders it was writing: no hidden leftovers.
    let _ = ctrlc::set_handler(|| {
        capsim::run_folder::staging::remove_unfinished();
        eprintln!("interrupted: nothing was written");
        std::process::exit(INTERRUPTED);
    });
    let cli = Cli::parse();
    let progress = Progress::for_command(&cli.command);
    let result = execute(cli, &progress);
    progress.finish();
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Bad input: say exactly what to fix, exit 2. Anything else: the whole chain, exit 1.
            if let Some(input) = err.downcast_ref::<InputError>() {
                eprintln!("error: {input}");
                ExitCode::from(2)
            } else {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        }
    }
}
