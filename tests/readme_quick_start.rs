//! The README's quick start, run verbatim twice (only the address is swapped for a free port),
//! each run printing the README's expected output: if the README drifts from the simulator, or
//! the block stops being runnable twice (its reset), this fails.

mod common;

use common::Sim;

fn quick_start_script() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    let section = readme
        .split("## Quick start")
        .nth(1)
        .expect("the README has a Quick start section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("the quick start has a sh block");
    block.to_string()
}

/// The lines of the README's expected output that are shown whole (no `...`).
fn expected_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    let section = readme
        .split("## Quick start")
        .nth(1)
        .expect("a Quick start");
    let block = section
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("the quick start shows its output in a text block");
    block
        .lines()
        .filter(|l| !l.contains("..."))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_readme_quick_start_runs_verbatim() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        skipped("the README quick start: curl is not installed");
        return;
    }
    let sim = Sim::start().await;
    let script = quick_start_script().replace("http://127.0.0.1:8787", &sim.sim.uri());
    assert!(
        script.contains(&sim.sim.uri()),
        "the quick start uses http://127.0.0.1:8787"
    );
    let expected = expected_lines();
    assert!(expected.len() >= 6, "{expected:?}");
    for run in 1..=2 {
        let script = script.clone();
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("bash")
                .arg("-euo")
                .arg("pipefail")
                .arg("-c")
                .arg(script)
                .output()
                .expect("bash runs")
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "run {run}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed: Vec<&str> = stdout.lines().collect();
        for line in &expected {
            assert!(
                printed.contains(&line.as_str()),
                "run {run}: README shows {line:?}, the block printed:\n{stdout}"
            );
        }
        // Before the clock moves the copies are UNKNOWN; after 24 hours order_update is GREEN.
        let (before, after) = stdout
            .split_once(r#""now":"2026-01-02"#)
            .expect("the clock advanced");
        assert!(before.contains(r#""name":"order_update","language":"en_US","status":"APPROVED","quality_score":{"score":"UNKNOWN""#), "{before}");
        assert!(after.contains(r#""name":"order_update","language":"en_US","status":"APPROVED","quality_score":{"score":"GREEN""#), "{after}");
        assert_eq!(stdout.matches(r#"{"success":true}"#).count(), 3, "{stdout}");
    }
}

/// A skip a person sees: a line starting `SKIPPED` written straight to the process's stderr
/// (the test harness captures `eprintln!` of passing tests, and its summary says `ok`).
fn skipped(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {}: {reason}", module_path!());
}

/// The README's 360dialog walk-through, run verbatim on a fresh simulator: the migrated-in
/// number is listed as a channel, `ready_for_migration` first and `live` at the end.
#[tokio::test]
async fn the_readme_360dialog_walk_through_runs_verbatim() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        skipped("the README 360dialog walk-through: curl is not installed");
        return;
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    let block = readme
        .split("## 360dialog")
        .nth(1)
        .and_then(|s| s.split("```sh\n").nth(1))
        .and_then(|b| b.split("\n```").next())
        .expect("the README has a 360dialog sh block")
        .to_string();
    let sim = Sim::start().await;
    let script = block.replace("http://127.0.0.1:8787", &sim.sim.uri());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", &script])
            .output()
            .expect("bash runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let statuses: Vec<&str> = stdout
        .match_indices(r#""status":""#)
        .map(|(at, m)| {
            let rest = &stdout[at + m.len()..];
            &rest[..rest.find('"').unwrap_or(0)]
        })
        .collect();
    assert_eq!(
        statuses,
        ["live", "ready_for_migration", "live"],
        "{stdout}"
    );
    assert!(
        stdout.contains(r#""url":"https://bsp.example/whatsapp""#),
        "{stdout}"
    );
}
