//! calamine's own test workbooks (../shared/corpora/calamine-tests, 132 odd files in every
//! format, some built to exhaust memory) as one period folder: the run must complete, list
//! every file, and stay within a memory bound (SPEC §8, §10).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_calamine_corpus_runs_to_completion_with_every_file_accounted_for() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/calamine-tests");
    assert!(corpus.is_dir(), "the corpus is expected beside the project at {}", corpus.display());
    let ws = tempfile::tempdir().expect("tempdir");
    let period = ws.path().join("returns/2015-10");
    std::fs::create_dir_all(&period).expect("mkdir");
    let mut names = Vec::new();
    for e in std::fs::read_dir(&corpus).expect("corpus").flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), period.join(e.file_name())).expect("copy");
            names.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspace");
    for f in ["huizong.toml", "名册.csv"] {
        std::fs::copy(fixtures.join(f), ws.path().join(f)).expect("copy");
    }
    // 2 GB of address space: a dense grid from a stray far cell would need far more.
    let script = format!("ulimit -v 2000000; exec '{}' run returns/2015-10 -q", env!("CARGO_BIN_EXE_huizong"));
    let out = Command::new("sh").arg("-c").arg(script).current_dir(ws.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    let report: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut listed: Vec<String> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().unwrap_or("").to_string())
        .collect();
    listed.sort();
    assert_eq!(listed, names, "every file appears in the report");
    for f in report["files"].as_array().expect("files") {
        if f["status"] == "rejected" || f["status"] == "ignored" {
            let reason = f["reason"].as_str().unwrap_or("");
            assert!(!reason.is_empty() && reason.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)), "{f}");
        }
    }
    let encrypted = ["pass_protected.xlsx", "pass_protected.xlsb", "pass_protected.ods"];
    for name in encrypted {
        let f = report["files"].as_array().expect("files").iter().find(|f| f["path"] == name).expect(name);
        assert!(f["reason"].as_str().is_some_and(|r| r.contains("加密")), "{f}");
    }
}
