//! `wabasim scenario run PATH...`: runs each scenario file (or each `*.yaml` of a directory),
//! prints pass/fail per step with a diff of what differed, writes each transcript, and exits
//! non-zero when anything failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs the scenarios `paths` name; transcripts go to `out` as `<file stem>.transcript` (see
/// [`transcript_names`] for files that share a stem). With `update` (`--update`), each passing
/// scenario's transcript is also written as the snapshot `tests/scenarios.rs` compares it with,
/// `<update>/<file stem>.snap`, when it is new or changed (no cargo-insta needed).
pub fn run(paths: &[PathBuf], out: &Path, update: Option<&Path>) -> ExitCode {
    let mut files: Vec<PathBuf> = Vec::new();
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
    let runtime = match crate::cli::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    // The same file named twice runs once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    let names = transcript_names(&files);
    let (mut passed, mut failed) = (0usize, 0usize);
    let (mut written, mut unchanged) = (0usize, 0usize);
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
        let target = out.join(&names[file]);
        if let Some(dir) = target.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            eprintln!("error: cannot create {}: {e}", dir.display());
        }
        if let Err(e) = std::fs::write(&target, &outcome.transcript) {
            eprintln!("error: cannot write {}: {e}", target.display());
        }
        if let Some(dir) = update
            && outcome.passed()
        {
            match update_snapshot(dir, file, &outcome.transcript) {
                Ok(Some(said)) => {
                    println!("{said}");
                    written += 1;
                }
                Ok(None) => unchanged += 1,
                Err(e) => {
                    eprintln!("error: {e}");
                    failed += 1;
                }
            }
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
    if let Some(dir) = update {
        println!(
            "snapshots in {}: {written} new or updated, {unchanged} unchanged",
            dir.display()
        );
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The snapshot file `tests/scenarios.rs` compares a scenario's transcript with (insta's
/// format: a header, then the transcript).
pub fn snapshot_text(stem: &str, transcript: &str) -> String {
    let mut s = format!(
        "---\nsource: tests/scenarios.rs\ndescription: scenarios/{stem}.yaml\n---\n{transcript}"
    );
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Writes `<dir>/<stem>.snap` when it is missing or differs; says `new: PATH` or `updated:
/// PATH`, or `None` when it already held this transcript.
fn update_snapshot(dir: &Path, file: &Path, transcript: &str) -> Result<Option<String>, String> {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let path = dir.join(format!("{stem}.snap"));
    let text = snapshot_text(&stem, transcript);
    let said = match std::fs::read_to_string(&path) {
        Ok(old) if old == text => return Ok(None),
        Ok(_) => "updated",
        Err(_) => "new",
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Some(format!("{said}: {}", path.display())))
}

/// Where each file's transcript goes, relative to the output directory: `<stem>.transcript`;
/// files that share a stem (`a/same.yaml`, `b/same.yaml`) keep as many of their parent
/// directories as it takes to tell them apart (`a/same.transcript`, `b/same.transcript`), so no
/// transcript overwrites another.
pub fn transcript_names(files: &[PathBuf]) -> std::collections::HashMap<PathBuf, PathBuf> {
    let stem = |f: &PathBuf| {
        f.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into())
    };
    // Parent directories, nearest first.
    let parents = |f: &PathBuf| -> Vec<String> {
        let full = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        full.parent()
            .map(|p| {
                p.components()
                    .rev()
                    .filter_map(|c| match c {
                        std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let name = |f: &PathBuf, depth: usize| -> PathBuf {
        let mut dirs: Vec<String> = parents(f).into_iter().take(depth).collect();
        dirs.reverse();
        let mut p = PathBuf::new();
        for d in dirs {
            p.push(d);
        }
        p.push(format!("{}.transcript", stem(f)));
        p
    };
    let mut out = std::collections::HashMap::new();
    for f in files {
        let same: Vec<&PathBuf> = files.iter().filter(|g| stem(g) == stem(f)).collect();
        let deepest = same.iter().map(|g| parents(g).len()).max().unwrap_or(0);
        let depth = (0..=deepest)
            .find(|d| {
                let mine = name(f, *d);
                same.iter().all(|g| *g == f || name(g, *d) != mine)
            })
            .unwrap_or(deepest);
        out.insert(f.clone(), name(f, depth));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_stems_in_different_directories_get_different_transcripts() {
        let files = vec![
            PathBuf::from("probes/a/same.yaml"),
            PathBuf::from("probes/b/same.yaml"),
            PathBuf::from("probes/other.yaml"),
        ];
        let names = transcript_names(&files);
        assert_eq!(names[&files[0]], PathBuf::from("a/same.transcript"));
        assert_eq!(names[&files[1]], PathBuf::from("b/same.transcript"));
        assert_eq!(names[&files[2]], PathBuf::from("other.transcript"));
    }
}
