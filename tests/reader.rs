//! Reader fixtures (tests/fixtures/reader, made by tests/fixtures/gen/make_fixtures.py with
//! openpyxl and LibreOffice): each file is run on its own through the real binary in a
//! throwaway workspace, and the JSON report is compared with `expected.json` — file status
//! and unit, every sheet's status, header row and row accounting, and every record's source
//! cell and parsed fields.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs `huizong run` on a period folder holding only `file`; returns the JSON report.
fn run_one(file: &str) -> Value {
    let ws = tempfile::tempdir().expect("tempdir");
    for f in ["huizong.toml", "名册.csv"] {
        std::fs::copy(fixtures().join("workspace").join(f), ws.path().join(f)).expect("copy workspace");
    }
    let period = ws.path().join("returns/2015-10");
    std::fs::create_dir_all(&period).expect("period folder");
    std::fs::copy(fixtures().join("reader").join(file), period.join(file)).expect("copy fixture");
    let out =
        Command::new(env!("CARGO_BIN_EXE_huizong")).arg("run").arg(&period).arg("-q").output().expect("run huizong");
    assert_eq!(out.status.code(), Some(0), "{file}: {}", String::from_utf8_lossy(&out.stderr));
    let json = ws.path().join("输出/汇总_2015-10.json");
    serde_json::from_str(&std::fs::read_to_string(&json).expect("report written")).expect("valid JSON")
}

fn expected() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("reader/expected.json")).expect("expected.json");
    serde_json::from_str::<Value>(&text).expect("valid JSON").as_array().expect("array").clone()
}

fn check(errors: &mut Vec<String>, name: &str, what: String, got: &Value, want: &Value) {
    if got != want {
        errors.push(format!("{name}: {what}: got {got}, want {want}"));
    }
}

fn check_file(exp: &Value) -> Vec<String> {
    let name = exp["file"].as_str().expect("file");
    let report = run_one(name);
    let mut errors = Vec::new();
    let file = report["files"].as_array().and_then(|f| f.first()).cloned().unwrap_or(Value::Null);
    check(&mut errors, name, "status".into(), &file["status"], &exp["status"]);
    check(&mut errors, name, "unit".into(), &file["unit"], &exp["unit"]);
    if let Some(want) = exp.get("reason_contains").and_then(Value::as_str) {
        let reason = file["reason"].as_str().unwrap_or("");
        if !reason.contains(want) {
            errors.push(format!("{name}: reason {reason:?} lacks {want:?}"));
        }
    }
    let a = &report["accounting"];
    if a["rows_nonblank"].as_u64()
        != Some(
            a["records"].as_u64().unwrap_or(0)
                + a["skipped"].as_u64().unwrap_or(0)
                + a["rejected"].as_u64().unwrap_or(0),
        )
    {
        errors.push(format!("{name}: accounting does not balance: {a}"));
    }
    let got_sheets = file["sheets"].as_array().cloned().unwrap_or_default();
    let want_sheets = exp["sheets"].as_array().cloned().unwrap_or_default();
    check(&mut errors, name, "sheet count".into(), &Value::from(got_sheets.len()), &Value::from(want_sheets.len()));
    for (g, w) in got_sheets.iter().zip(&want_sheets) {
        let sheet = w["name"].to_string();
        check(&mut errors, name, format!("sheet {sheet} name"), &g["name"], &w["name"]);
        check(&mut errors, name, format!("sheet {sheet} status"), &g["status"], &w["status"]);
        if w["status"] == "used" {
            for k in ["header_row", "rows_nonblank", "records", "skipped", "rejected"] {
                check(&mut errors, name, format!("sheet {sheet} {k}"), &g[k], &w[k]);
            }
        }
    }
    let records = report["records"].as_array().cloned().unwrap_or_default();
    let want_records = exp["records"].as_array().cloned().unwrap_or_default();
    check(&mut errors, name, "record count".into(), &Value::from(records.len()), &Value::from(want_records.len()));
    for w in &want_records {
        let at = format!("{}!{}", w["sheet"], w["cell"]);
        let Some(g) = records.iter().find(|r| r["source"]["sheet"] == w["sheet"] && r["source"]["row"] == w["row"])
        else {
            errors.push(format!("{name}: no record at {at}"));
            continue;
        };
        check(&mut errors, name, format!("{at} cell"), &g["source"]["cell"], &w["cell"]);
        for k in [
            "raw_name",
            "demo",
            "star",
            "target_star",
            "venue",
            "responsible",
            "deadline",
            "measures",
            "contact_leader",
            "acceptance",
            "remarks",
            "unit",
        ] {
            if let Some(want) = w.get(k) {
                check(&mut errors, name, format!("{at} {k}"), &g[k], want);
            }
        }
        if let Some(five) = w.get("five_have").and_then(Value::as_object) {
            for (k, v) in five {
                let key = k.trim_start_matches("红色").trim_start_matches('有');
                check(&mut errors, name, format!("{at} five_have.{k}"), &g["five_have"][key], v);
            }
        }
        for bad in w.get("bad_values").and_then(Value::as_array).cloned().unwrap_or_default() {
            let hit = report["issues"].as_array().into_iter().flatten().any(|i| {
                i["code"] == "bad_value"
                    && i["source"]["row"] == w["row"]
                    && i["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with(&format!("{}：", field_label(bad.as_str().unwrap_or("")))))
            });
            if !hit {
                errors.push(format!("{name}: no bad_value issue at {at} for {bad}"));
            }
        }
    }
    errors
}

/// The header label a bad-value message starts with, for the field keys of expected.json.
fn field_label(key: &str) -> &'static str {
    match key {
        "star" => "星级",
        "target_star" => "目标星级",
        "deadline" => "完成时限",
        "venue" => "活动场所",
        "demo" => "是否示范点",
        _ => "?",
    }
}

#[test]
fn every_fixture_reads_as_expected() {
    let mut errors = Vec::new();
    for exp in expected() {
        errors.extend(check_file(&exp));
    }
    assert!(errors.is_empty(), "{} mismatches:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn fixture_expectations_cover_every_format() {
    let names: Vec<String> = expected().iter().map(|e| e["file"].as_str().expect("file").to_string()).collect();
    for ext in [".xlsx", ".xls", ".ods", ".csv", ".zip", ".txt"] {
        assert!(names.iter().any(|n| n.ends_with(ext)), "no fixture ends with {ext}");
    }
    assert!(
        Path::new(&fixtures().join("gen/make_fixtures.py")).is_file(),
        "the generator is committed beside the fixtures"
    );
}
