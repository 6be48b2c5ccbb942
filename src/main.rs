//! The `huizong` binary: parse the command line, hand it to the library, print the error
//! chain and exit with the code of SPEC §7.

use std::process::ExitCode;

// mimalloc instead of the system allocator: the stages run on several threads, and glibc's
// per-thread arenas kept memory freed by one stage out of reach of the next (province run:
// 714 MB peak with glibc, see docs/BENCHMARKS.md). It is built without transparent huge
// pages (Cargo.toml): zeroing whole 2 MB pages on first touch cost more than it saved.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panic while reading a file becomes that file's rejection (huizong::read::guarded)
    // and stays quiet; any other is a bug, reported as one.
    std::panic::set_hook(Box::new(|info| {
        if !huizong::read::in_reader() {
            eprintln!("huizong 内部错误（这是程序的缺陷，请把这段信息报告给开发者）：{info}");
        }
    }));
    let code = huizong::cli::main_with_args(std::env::args_os());
    ExitCode::from(code)
}
