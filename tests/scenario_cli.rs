//! `wabasim scenario run`: pass/fail per step with a diff, transcripts written, exit status.

use std::path::Path;
use std::process::Command;

const SCENARIO: &str = r#"
name: the destination WABA reads back
source: README "The default world"
steps:
  - name: read the destination
    request: GET /v23.0/200000000000002
    auth: wabasim-new-bsp
    query: {fields: "name,account_review_status"}
    expect: {json: {name: Acme (New BSP), account_review_status: APPROVED}}
  - name: read it again
    request: GET /v23.0/200000000000002
    auth: wabasim-new-bsp
"#;

fn run(dir: &Path, file: &str) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wabasim"))
        .args(["scenario", "run", file, "--transcripts"])
        .arg(dir.join("transcripts"))
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_passing_and_a_failing_scenario() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario_cli");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("good.yaml"), SCENARIO).unwrap();
    std::fs::write(
        dir.join("bad.yaml"),
        SCENARIO.replace(
            "account_review_status: APPROVED",
            "account_review_status: PENDING",
        ),
    )
    .unwrap();

    let (code, out) = run(&dir, "good.yaml");
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.starts_with("PASS the destination WABA reads back\n  ok    1. read the destination"),
        "{out}"
    );
    let transcript = std::fs::read_to_string(dir.join("transcripts/good.transcript")).unwrap();
    assert!(
        transcript.contains("\"account_review_status\": \"APPROVED\""),
        "{transcript}"
    );
    assert!(
        transcript.contains("x-fb-trace-id: [trace-"),
        "{transcript}"
    );

    let (code, out) = run(&dir, "bad.yaml");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("FAIL  1. read the destination"), "{out}");
    assert!(
        out.contains("json $.account_review_status: expected \"PENDING\", got \"APPROVED\""),
        "{out}"
    );
    assert!(
        out.contains("-  \"account_review_status\": \"PENDING\""),
        "{out}"
    );
    assert!(
        out.contains("+  \"account_review_status\": \"APPROVED\""),
        "{out}"
    );
    assert!(out.contains("(1 later steps not run)"), "{out}");
    assert!(dir.join("transcripts/bad.transcript").exists());

    let (code, out) = run(&dir, ".");
    assert_eq!(
        code,
        Some(1),
        "a directory runs every scenario in it: {out}"
    );
    assert!(out.contains("1 passed, 1 failed"), "{out}");
}
