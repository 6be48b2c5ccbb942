//! The review round trip of SPEC §7 on a copy of the samples: the clerk picks a candidate
//! (or 否) in 待核实 → 核实结果 and saves; the next run harvests it into 核实记录.csv, applies
//! it (method `decision`), and it survives every later run, including one on an untouched
//! output. The saved workbook is simulated by writing the 待核实 sheet with rust_xlsxwriter,
//! as Excel would keep it; harvesting finds rows by header names, never by position.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        if e.file_name() == "输出" {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

fn samples_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ws = tmp.path().join("samples");
    copy_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples"), &ws);
    (tmp, ws)
}

fn run(ws: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_huizong"))
        .current_dir(ws)
        .args(["run", "returns/2015-10", "-q"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(&std::fs::read_to_string(ws.join("输出/汇总_2015-10.json")).expect("report")).expect("json")
}

/// The 待核实 rows of the written workbook: header and data as text.
fn review_sheet(ws: &Path) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(ws.join("输出/汇总_2015-10.xlsx")).expect("workbook");
    let range = wb.worksheet_range("待核实").expect("待核实");
    range
        .rows()
        .map(|r| r.iter().map(|c| if let Data::Empty = c { String::new() } else { c.to_string() }).collect())
        .collect()
}

/// Saves a workbook whose 待核实 sheet holds `rows` (header first), as the user's save would.
fn save_review(ws: &Path, rows: &[Vec<String>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("汇总").expect("name");
    let sheet = wb.add_worksheet();
    sheet.set_name("待核实").expect("name");
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, v).expect("write");
        }
    }
    wb.save(ws.join("输出/汇总_2015-10.xlsx")).expect("save");
}

fn record<'a>(report: &'a Value, raw: &str) -> &'a Value {
    report["records"].as_array().expect("records").iter().find(|r| r["raw_name"] == raw).expect(raw)
}

fn choose(ws: &Path, reported: &str, pick: impl Fn(&[String]) -> String) -> Vec<Vec<String>> {
    let rows = review_sheet(ws);
    let h = rows.iter().position(|r| r.iter().any(|c| c == "核实结果")).expect("header");
    let header = rows[h].clone();
    let col = |name: &str| header.iter().position(|c| c == name).expect(name);
    let mut row = rows.iter().skip(h + 1).find(|r| r[col("上报名称")] == reported).expect(reported).clone();
    let candidates: Vec<String> =
        ["候选1", "候选2", "候选3"].iter().map(|c| row[col(c)].clone()).filter(|c| !c.is_empty()).collect();
    row[col("核实结果")] = pick(&candidates);
    // A title row above, the header, then the decided row: users sort and delete rows.
    save_review(ws, &[vec!["标题".to_string()], header, row]);
    vec![candidates]
}

#[test]
fn a_chosen_candidate_is_harvested_applied_and_kept() {
    let (_tmp, ws) = samples_copy();
    let first = run(&ws);
    assert_eq!(record(&first, "章村")["match"]["method"], "review");
    let valid_before = first["units"].as_array().expect("units").iter().find(|u| u["unit"] == "罗埠镇").expect("unit")
        ["valid_points"]
        .clone();
    let picked = choose(&ws, "章村", |c| c[0].clone());
    let second = run(&ws);
    let r = record(&second, "章村");
    assert_eq!(r["match"]["method"], "decision");
    assert_eq!(r["org"]["name"].as_str(), Some(picked[0][0].as_str()));
    assert_eq!(r["valid"], true);
    assert!(!second["issues"].as_array().expect("issues").iter().any(|i| i["code"] == "needs_review"));
    let valid_after = second["units"].as_array().expect("units").iter().find(|u| u["unit"] == "罗埠镇").expect("unit")
        ["valid_points"]
        .clone();
    assert_eq!(valid_after.as_u64(), valid_before.as_u64().map(|v| v + 1), "the decided name now counts");
    let ledger = std::fs::read_to_string(ws.join("核实记录.csv")).expect("ledger written");
    assert!(ledger.starts_with('\u{feff}'), "UTF-8 with BOM");
    assert!(ledger.contains(&format!("罗埠镇,章村,是,{}", picked[0][0])), "{ledger}");
    // A rerun on the untouched new output keeps the decision and does not grow the ledger.
    let third = run(&ws);
    assert_eq!(record(&third, "章村")["match"]["method"], "decision");
    assert_eq!(std::fs::read_to_string(ws.join("核实记录.csv")).expect("ledger"), ledger);
}

#[test]
fn no_forbids_every_candidate_shown_for_good() {
    let (_tmp, ws) = samples_copy();
    run(&ws);
    let shown = choose(&ws, "章村", |_| "否".to_string());
    let second = run(&ws);
    let r = record(&second, "章村");
    assert_eq!(r["match"]["method"], "none", "{r}");
    let ledger = std::fs::read_to_string(ws.join("核实记录.csv")).expect("ledger");
    assert_eq!(ledger.matches(",章村,否,").count(), shown[0].len(), "one 否 per candidate shown: {ledger}");
    // The name is never asked again.
    assert!(
        !second["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .any(|i| i["code"] == "needs_review" && i["message"].as_str().is_some_and(|m| m.contains("章村")))
    );
}

#[test]
fn a_malformed_ledger_line_is_an_error_naming_the_line() {
    let (_tmp, ws) = samples_copy();
    std::fs::write(
        ws.join("核实记录.csv"),
        "\u{feff}单位,上报名称,结论,标准名称,组织编码,期间\r\n罗埠镇,章村,大概,上章村党支部,,2015-10\r\n",
    )
    .expect("ledger");
    let out = Command::new(env!("CARGO_BIN_EXE_huizong"))
        .current_dir(&ws)
        .args(["run", "returns/2015-10", "-q"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第2行") && err.contains("大概"), "{err}");
}
