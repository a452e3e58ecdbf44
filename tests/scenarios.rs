//! The scenario library: every `scenarios/*.yaml` runs against a fresh simulator, must pass,
//! and has its transcript snapshotted (`tests/snapshots/scenarios/`). A change of behaviour
//! shows up as a snapshot diff; accept new and changed ones with `wabasim scenario run scenarios
//! --update` (then `git diff`), or review them with `cargo insta review`.

use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_passes_and_matches_its_transcript() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = wabasim::scenario::files(&dir).expect("scenarios/ exists");
    assert!(
        files.len() >= 30,
        "the library has {} scenarios",
        files.len()
    );
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();
    for file in &files {
        let loaded = match wabasim::scenario::load(file) {
            Ok(l) => l,
            Err(e) => {
                failures.push(format!("{e}"));
                continue;
            }
        };
        let outcome = wabasim::scenario::run(&loaded).await;
        if !outcome.passed() {
            failures.push(format!("{}:\n{}", file.display(), outcome.report()));
        }
        outcomes.push((file.clone(), outcome));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (file, outcome) in outcomes {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({
            snapshot_path => "snapshots/scenarios",
            prepend_module_to_snapshot => false,
            description => format!("scenarios/{name}.yaml"),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, outcome.transcript);
        });
    }
}

#[test]
fn every_scenario_names_its_source_and_its_schema() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for file in wabasim::scenario::files(&dir).unwrap() {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=schema.json"),
            "{} should start with the schema line",
            file.display()
        );
        let loaded = wabasim::scenario::load(&file).unwrap();
        assert!(
            loaded
                .scenario
                .source
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
            "{} cites no source",
            file.display()
        );
    }
}
