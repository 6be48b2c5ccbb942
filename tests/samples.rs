//! The sample workspace's README lists every deliberate problem of the samples and the
//! discrepancy it must produce; this runs the real binary on the samples (output to a
//! temporary folder) and checks that the report has exactly those discrepancies, each with
//! its unit and source cell, that every file is accounted for and that no row is lost.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The data rows of the samples README's table whose header starts with `header`.
fn readme_table(header: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(repo().join("samples/README.md")).expect("samples/README.md");
    let mut lines = text.lines().skip_while(|l| !l.starts_with(header)).skip(1);
    let mut rows = Vec::new();
    for line in lines.by_ref().take_while(|l| l.starts_with('|')) {
        let cells: Vec<String> = line.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect();
        if !cells.first().is_some_and(|c| c.starts_with("---")) {
            rows.push(cells);
        }
    }
    rows
}

/// (period, code, unit, source) rows of the README's expected-problem table.
fn expected_rows() -> BTreeSet<(String, String, String, String)> {
    let rows: BTreeSet<_> = readme_table("| 期间 | 问题代码 | 单位 | 来源 |")
        .into_iter()
        .map(|c| (c[0].clone(), c[1].clone(), c[2].clone(), c[3].clone()))
        .collect();
    assert!(rows.len() >= 20, "the README table should list the deliberate problems, found {}", rows.len());
    rows
}

fn source_text(source: &Value) -> String {
    if source.is_null() {
        return "—".to_string();
    }
    let mut s = source["file"].as_str().expect("source.file").to_string();
    if let Some(sheet) = source["sheet"].as_str() {
        s.push('!');
        s.push_str(sheet);
    }
    if let Some(cell) = source["cell"].as_str() {
        s.push('!');
        s.push_str(cell);
    }
    s
}

fn run_samples(out: &Path) -> (Value, Value) {
    let status = Command::new(env!("CARGO_BIN_EXE_huizong"))
        .current_dir(repo())
        .args(["run", "samples/returns/2015-09", "samples/returns/2015-10", "-q", "-o"])
        .arg(out)
        .status()
        .expect("run huizong");
    assert_eq!(status.code(), Some(0));
    let read = |p: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(format!("汇总_{p}.json"))).expect("report written"))
            .expect("valid JSON")
    };
    (read("2015-09"), read("2015-10"))
}

fn files_on_disk(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).expect("period folder") {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            for sub in files_on_disk(&e.path()) {
                out.insert(format!("{name}/{sub}"));
            }
        } else {
            out.insert(name);
        }
    }
    out
}

#[test]
fn sample_run_has_exactly_the_readme_discrepancies() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (sep, oct) = run_samples(tmp.path());
    let mut found = BTreeSet::new();
    for report in [&sep, &oct] {
        let period = report["period"].as_str().expect("period").to_string();
        for i in report["issues"].as_array().expect("issues") {
            found.insert((
                period.clone(),
                i["code"].as_str().expect("code").to_string(),
                i["unit"].as_str().unwrap_or("—").to_string(),
                source_text(&i["source"]),
            ));
        }
    }
    let expected = expected_rows();
    let missing: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing from the report: {missing:#?}\nnot in the README: {extra:#?}"
    );
}

#[test]
fn sample_run_accounts_for_every_file_and_row() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (sep, oct) = run_samples(tmp.path());
    for (report, folder) in [(&sep, "2015-09"), (&oct, "2015-10")] {
        let listed: BTreeSet<String> = report["files"]
            .as_array()
            .expect("files")
            .iter()
            .map(|f| f["path"].as_str().expect("path").to_string())
            .collect();
        assert_eq!(listed, files_on_disk(&repo().join("samples/returns").join(folder)), "{folder}");
        let a = &report["accounting"];
        let n = |k: &str| a[k].as_u64().expect(k);
        assert_eq!(n("rows_nonblank"), n("records") + n("skipped") + n("rejected"), "{folder}: {a}");
        for f in report["files"].as_array().expect("files") {
            for s in f["sheets"].as_array().expect("sheets") {
                let m = |k: &str| s[k].as_u64().expect(k);
                assert_eq!(m("rows_nonblank"), m("records") + m("skipped") + m("rejected"), "{folder} {f} {s}");
            }
        }
        assert_eq!(n("records") as usize, report["records"].as_array().expect("records").len());
    }
    assert_eq!(sep["accounting"]["records"], 95);
    assert_eq!(oct["accounting"]["records"], 94);
    let status_of = |name: &str| {
        oct["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|f| f["path"] == name)
            .map(|f| f["status"].clone())
            .expect(name)
    };
    assert_eq!(status_of("苏孟乡.xlsx"), "superseded");
    assert_eq!(status_of("苏孟乡（修改版）.xlsx"), "used");
    assert_eq!(status_of("~$苏孟乡.xlsx"), "ignored");
    assert_eq!(status_of("附件.zip"), "ignored");
    assert_eq!(status_of("补报/商会党委.xlsx"), "used");
    assert_eq!(status_of("西关街道.xls"), "used");
    assert_eq!(status_of("三江街道.ods"), "used");
    assert_eq!(status_of("洋埠镇.csv"), "used");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let name = e.file_name();
        if name == "输出" {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(&name));
        } else {
            std::fs::copy(e.path(), to.join(&name)).expect("copy");
        }
    }
}

#[test]
fn outputs_do_not_depend_on_the_workspace_location() {
    // The same workspace in two places, at different depths, its folders given in another
    // order: the outputs (links to sources are relative to the output folder) are identical.
    let run_in = |dir: &Path, folders: [&str; 2]| {
        copy_dir(&repo().join("samples"), dir);
        let status = Command::new(env!("CARGO_BIN_EXE_huizong"))
            .current_dir(dir)
            .args(["run", folders[0], folders[1], "-q"])
            .status()
            .expect("run huizong");
        assert_eq!(status.code(), Some(0));
    };
    let a = tempfile::tempdir().expect("tempdir");
    let first = a.path().join("samples");
    run_in(&first, ["returns/2015-09", "returns/2015-10"]);
    let b = tempfile::tempdir().expect("tempdir");
    let second = b.path().join("别处/更深/samples");
    run_in(&second, ["returns/2015-10", "returns/2015-09"]);
    for name in ["汇总_2015-09.json", "汇总_2015-10.json", "汇总_2015-09.xlsx", "汇总_2015-10.xlsx"] {
        let x = std::fs::read(first.join("输出").join(name)).expect("first run output");
        let y = std::fs::read(second.join("输出").join(name)).expect("second run output");
        assert!(x == y, "{name} differs between two locations");
    }
}

/// (kind, unit, organisation, before, after) rows of the README's change table.
fn expected_changes() -> Vec<[String; 5]> {
    readme_table("| 期间 | 变化 | 单位 | 组织 | 上月 | 本月 |")
        .into_iter()
        .map(|c| [1, 2, 3, 4, 5].map(|i| c[i].clone()))
        .collect()
}

#[test]
fn the_october_changes_against_september_are_the_readme_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_, oct) = run_samples(tmp.path());
    let text = |v: &Value| match v {
        Value::Null => "—".to_string(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let got: Vec<[String; 5]> = oct["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| [text(&c["kind"]), text(&c["unit"]), text(&c["org"]["name"]), text(&c["before"]), text(&c["after"])])
        .collect();
    let want = expected_changes();
    assert!(want.len() >= 7, "the samples are built to change: {want:?}");
    assert_eq!(got, want);
    let units = oct["units"].as_array().expect("units");
    assert!(units.iter().all(|u| u["prev_valid_points"].is_number()), "September's counts stand beside October's");
}

#[test]
fn sample_workbook_has_the_thirteen_sheets_and_the_figures_of_the_json() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_, oct) = run_samples(tmp.path());
    let mut wb: Xlsx<_> = open_workbook(tmp.path().join("汇总_2015-10.xlsx")).expect("open workbook");
    let names = wb.sheet_names();
    let want = [
        "汇总",
        "明细",
        "问题清单",
        "待核实",
        "未匹配",
        "指标缺口",
        "星级未达标",
        "场所不达标",
        "重复上报",
        "未上报",
        "数据问题",
        "环比变化",
        "说明",
    ];
    assert_eq!(names, want);
    let summary = wb.worksheet_range("汇总").expect("汇总");
    let rows: Vec<Vec<Data>> = summary.rows().map(<[Data]>::to_vec).collect();
    let header_at =
        rows.iter().position(|r| r.iter().any(|c| *c == Data::String("有效点数".to_string()))).expect("header row");
    let header: Vec<String> = rows[header_at].iter().map(ToString::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let num = |d: &Data| match d {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) => Some(*f),
        _ => None,
    };
    for u in oct["units"].as_array().expect("units") {
        let unit = u["unit"].as_str().expect("unit");
        let row =
            rows.iter().find(|r| r.get(col("单位")).is_some_and(|c| *c == Data::String(unit.to_string()))).expect(unit);
        for (column, key) in [
            ("上报点数", "reported_points"),
            ("有效点数", "valid_points"),
            ("有效示范点", "valid_demo"),
            ("错误数", "errors"),
        ] {
            assert_eq!(num(&row[col(column)]), u[key].as_f64(), "{unit} {column}");
        }
        let compliant = if u["compliant"].as_bool().expect("compliant") { "是" } else { "否" };
        assert_eq!(row[col("是否达标")].to_string(), compliant, "{unit}");
    }
    let detail = wb.worksheet_range("明细").expect("明细");
    let data_rows = detail.rows().filter(|r| r.first().and_then(num).is_some()).count();
    assert_eq!(data_rows, oct["records"].as_array().expect("records").len());
}

/// (period, unit, source, reported, official, method) rows of the README's name table.
fn expected_names() -> Vec<[String; 6]> {
    readme_table("| 期间 | 单位 | 来源 | 上报名称 | 标准名称 | 匹配方式 |")
        .into_iter()
        .map(|c| [0, 1, 2, 3, 4, 5].map(|i| c[i].clone()))
        .collect()
}

#[test]
fn every_name_variant_in_the_samples_resolves_as_the_readme_says() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_, oct) = run_samples(tmp.path());
    let expected = expected_names();
    assert!(expected.iter().filter(|r| r[5] == "fuzzy").count() >= 3, "the samples should carry homophone typos");
    let mut errors = Vec::new();
    for [period, unit, source, _, official, method] in &expected {
        assert_eq!(period, "2015-10");
        let Some(rec) =
            oct["records"].as_array().expect("records").iter().find(|r| source_text(&r["source"]) == *source)
        else {
            errors.push(format!("no record at {source}"));
            continue;
        };
        let got_official = rec["org"]["name"].as_str().unwrap_or("—");
        let got_method = rec["match"]["method"].as_str().unwrap_or("");
        if rec["unit"] != unit.as_str() || got_official != official || got_method != method {
            errors.push(format!(
                "{source}: got {} → {got_official} by {got_method}, want {unit} → {official} by {method}",
                rec["unit"]
            ));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn the_json_report_has_one_line_per_key_file_unit_record_and_issue() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, october) = run_samples(dir.path());
    let text = std::fs::read_to_string(dir.path().join("汇总_2015-10.json")).expect("report written");
    let lines: Vec<&str> = text.lines().collect();
    let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    let len = |key: &str| october[key].as_array().map_or(0, Vec::len);
    assert_eq!(count("    {\"path\":"), len("files"));
    assert_eq!(count("    {\"unit\":"), len("units"));
    assert_eq!(count("    {\"id\":"), len("records"));
    assert_eq!(count("    {\"code\":"), len("issues"));
    assert!(len("records") > 50 && len("issues") > 5);
    for key in ["schema", "tool_version", "period", "files", "accounting", "units", "records", "issues", "changes"] {
        assert_eq!(count(&format!("  \"{key}\": ")), 1, "{key} on a line of its own");
    }
    assert_eq!(lines.first(), Some(&"{"));
    assert_eq!(lines.last(), Some(&"}"));
}
