//! `wabasim scenario run PATH...`: runs each scenario file (or each `*.yaml` of a directory),
//! prints pass/fail per step with a diff of what differed, writes each transcript, and exits
//! non-zero when anything failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs the scenarios `paths` name; transcripts go to `out` as `<file stem>.transcript`.
pub fn run(paths: &[PathBuf], out: &Path) -> ExitCode {
    let mut files = Vec::new();
    for p in paths {
        match super::files(p) {
            Ok(f) => files.extend(f),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if files.is_empty() {
        eprintln!("error: no scenario files (*.yaml) in {paths:?}");
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("error: cannot create {}: {e}", out.display());
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        let loaded = match super::load(file) {
            Ok(l) => l,
            Err(e) => {
                println!("FAIL {}\n  error: {e}", file.display());
                failed += 1;
                continue;
            }
        };
        let outcome = runtime.block_on(super::run(&loaded));
        print!("{}", outcome.report());
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        let target = out.join(format!("{stem}.transcript"));
        if let Err(e) = std::fs::write(&target, &outcome.transcript) {
            eprintln!("error: cannot write {}: {e}", target.display());
        }
        if outcome.passed() {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    println!(
        "\n{passed} passed, {failed} failed; transcripts in {}",
        out.display()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
