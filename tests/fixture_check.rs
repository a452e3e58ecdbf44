//! `wabasim fixture check` on broken fixtures: each answers with a located, actionable error
//! (file:line:column where the input has lines), exits 1, and none panics or hangs; the size
//! cap refuses a 50 MB file before reading it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn wabasim(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wabasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wabasim runs");
    // A hang guard only: a check takes milliseconds.
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if std::time::Instant::now() > give_up {
            let _ = child.kill();
            panic!("wabasim {args:?} hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A 50 MB file of valid YAML comments.
fn fifty_megabytes() -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fifty_megabytes.yaml");
    let line = format!("# {}\n", "x".repeat(98));
    let text = line.repeat(50 * 1024 * 1024 / line.len());
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn ten_broken_fixtures_give_ten_located_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken-fixtures");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            format!(
                "tests/broken-fixtures/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    let big = fifty_megabytes();
    files.push(big.display().to_string());
    assert_eq!(files.len(), 10);
    let mut report = String::new();
    for file in &files {
        let out = wabasim(&["fixture", "check", file]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        let located = format!("error: {file}:");
        assert!(stderr.starts_with(&located), "{file}: {stderr}");
        if file != &big.display().to_string() {
            let rest = &stderr[located.len()..];
            let mut parts = rest.splitn(3, ':');
            let line = parts.next().unwrap().parse::<usize>();
            let column = parts.next().unwrap().parse::<usize>();
            assert!(
                line.is_ok() && column.is_ok(),
                "{file} is not located: {stderr}"
            );
        }
        report.push_str(&stderr.replace(&big.display().to_string(), "<tmp>/fifty_megabytes.yaml"));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn check_stops_at_the_first_bad_file() {
    let out = wabasim(&[
        "fixture",
        "check",
        "fixtures/default.yaml",
        "tests/broken-fixtures/wrong_enum.yaml",
        "tests/broken-fixtures/unknown_key.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.starts_with("ok: fixtures/default.yaml (13 WABAs"),
        "{stdout}"
    );
    assert!(stderr.contains("wrong_enum.yaml:7:78: unknown variant `BLUE`, expected one of GREEN, YELLOW, RED, UNKNOWN"), "{stderr}");
    assert!(!stderr.contains("unknown_key"), "{stderr}");
}

#[test]
fn a_raised_size_cap_lets_a_big_file_through_to_the_parser() {
    let big = fifty_megabytes();
    let path = big.display().to_string();
    let out = wabasim(&["fixture", "check", "--max-fixture-bytes", "60000000", &path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("(0 WABAs"), "{stdout}");
}
