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

fn run_args(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wabasim"))
        .args(["scenario", "run"])
        .args(args)
        .arg("--transcripts")
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
fn same_named_scenarios_in_two_directories_keep_both_transcripts() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario_cli_same_names");
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["a", "b"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(
            dir.join(sub).join("same.yaml"),
            SCENARIO.replace("reads back", &format!("reads back ({sub})")),
        )
        .unwrap();
    }
    let (code, out) = run_args(&dir, &["a/same.yaml", "b/same.yaml"]);
    assert_eq!(code, Some(0), "{out}");
    for sub in ["a", "b"] {
        let t = std::fs::read_to_string(dir.join(format!("transcripts/{sub}/same.transcript")))
            .unwrap();
        assert!(
            t.starts_with(&format!("# the destination WABA reads back ({sub})")),
            "{t}"
        );
    }
}

#[test]
fn status_classes_no_steps_and_an_unaddressed_webhook_wait() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario_cli_edges");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("class.yaml"),
        SCENARIO.to_string()
            + "    expect: {status: \"2xx\"}\n"
            + "  - name: a missing node\n    request: GET /v23.0/1\n    auth: wabasim-new-bsp\n    expect: {status: \"4xx\"}\n",
    )
    .unwrap();
    let (code, out) = run_args(&dir, &["class.yaml"]);
    assert_eq!(code, Some(0), "{out}");
    std::fs::write(
        dir.join("class.yaml"),
        SCENARIO.to_string() + "    expect: {status: \"4xx\"}\n",
    )
    .unwrap();
    let (code, out) = run_args(&dir, &["class.yaml"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("status: expected 4xx, got 200"), "{out}");

    std::fs::write(
        dir.join("empty.yaml"),
        "name: nothing to check\nsteps: []\n",
    )
    .unwrap();
    let (code, out) = run_args(&dir, &["empty.yaml"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("the scenario has no steps"), "{out}");

    // A migration's copies produce events, but the default world's apps have no URL.
    std::fs::write(
        dir.join("hook.yaml"),
        r#"
name: a webhook nobody was told where to send
steps:
  - clock: {advance: 2m}
  - request: POST /v23.0/200000000000002/message_templates
    auth: wabasim-new-bsp
    json: {name: fresh_one, language: en_US, category: UTILITY, components: [{type: BODY, text: hi}]}
  - clock: {advance: 2m}
  - webhook: {field: message_template_status_update, wait: 1s}
"#,
    )
    .unwrap();
    let (code, out) = run_args(&dir, &["hook.yaml"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("found no subscribed app with a callback URL"),
        "{out}"
    );
    assert!(
        out.contains("POST /__admin/webhooks/apps/{app_id}"),
        "{out}"
    );
}

/// `scenario run --update`: a new scenario's snapshot is written (insta's format, what
/// `tests/scenarios.rs` compares), a changed one rewritten, an unchanged one left alone; a
/// failing scenario writes none.
#[test]
fn update_writes_new_and_changed_snapshots_only() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario_cli_update");
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
    let update = |file: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_wabasim"))
            .args(["scenario", "run", file, "--update", "--snapshots", "snaps"])
            .args(["--transcripts", "transcripts"])
            .current_dir(&dir)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let snap = dir.join("snaps/good.snap");

    let (code, out) = update("good.yaml");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("new: snaps/good.snap"), "{out}");
    let text = std::fs::read_to_string(&snap).unwrap();
    assert!(
        text.starts_with(
            "---\nsource: tests/scenarios.rs\ndescription: scenarios/good.yaml\n---\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\"account_review_status\": \"APPROVED\""),
        "{text}"
    );

    let (_, out) = update("good.yaml");
    assert!(out.contains("0 new or updated, 1 unchanged"), "{out}");

    std::fs::write(&snap, "---\nold\n---\nsomething else\n").unwrap();
    let (_, out) = update("good.yaml");
    assert!(out.contains("updated: snaps/good.snap"), "{out}");
    assert_eq!(std::fs::read_to_string(&snap).unwrap(), text);

    let (code, out) = update("bad.yaml");
    assert_eq!(code, Some(1), "{out}");
    assert!(!dir.join("snaps/bad.snap").exists(), "{out}");
}
