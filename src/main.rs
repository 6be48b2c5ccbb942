//! The `huizong` binary: parse the command line, hand it to the library, print the error
//! chain and exit with the code of SPEC §7.

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = huizong::cli::main_with_args(std::env::args_os());
    ExitCode::from(code)
}
