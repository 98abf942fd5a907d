use std::process::ExitCode;

use clap::Parser;

use capsim::InputError;
use capsim::cli::{Cli, execute};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
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
