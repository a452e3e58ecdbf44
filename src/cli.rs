//! What the command line's commands share (`src/main.rs`, `scenario::cli`).

use std::process::ExitCode;

/// The multi-threaded runtime a command serves or runs scenarios on; when it cannot start,
/// the error is printed and the command fails.
pub fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the runtime: {e}");
            ExitCode::FAILURE
        })
}
