//! The commands of SPEC §7 through the real binary, each in a throwaway folder: `init`,
//! configuration errors that name the key and line, the `huizong DIR` shorthand, `check`
//! writing nothing, and the exit codes (0, 1, 2, 3).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn huizong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huizong")).current_dir(dir).args(args).output().expect("run huizong")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A workspace with the fixture configuration and master list and one return for 2015-10.
fn workspace() -> tempfile::TempDir {
    let ws = tempfile::tempdir().expect("tempdir");
    for f in ["huizong.toml", "名册.csv"] {
        std::fs::copy(fixtures().join("workspace").join(f), ws.path().join(f)).expect("copy");
    }
    let period = ws.path().join("returns/2015-10");
    std::fs::create_dir_all(&period).expect("mkdir");
    std::fs::copy(fixtures().join("reader/basic.xlsx"), period.join("汤溪镇.xlsx")).expect("copy");
    ws
}

#[test]
fn init_writes_the_default_configuration_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = huizong(tmp.path(), &["init", "ws"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(tmp.path().join("ws/huizong.toml")).expect("config written");
    assert_eq!(written, include_str!("../templates/huizong.toml"));
    assert!(tmp.path().join("ws/名册.xlsx").is_file());
    assert!(tmp.path().join("ws/returns").is_dir());
    let again = huizong(tmp.path(), &["init", "ws"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("已存在"), "{}", stderr(&again));
}

#[test]
fn a_configuration_error_names_the_key_and_line_and_exits_2() {
    let ws = workspace();
    let cfg = ws.path().join("huizong.toml");
    let text = std::fs::read_to_string(&cfg).expect("config");
    std::fs::write(&cfg, text.replacen("accept = 0.92", "accept = 1.7", 1)).expect("write");
    let line = std::fs::read_to_string(&cfg)
        .expect("config")
        .lines()
        .position(|l| l.starts_with("accept = 1.7"))
        .expect("line")
        + 1;
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("matching.accept") && err.contains(&format!("第{line}行")), "{err}");
    assert!(!ws.path().join("输出").exists(), "nothing is written on a configuration error");
}

#[test]
fn a_folder_without_a_period_name_asks_for_one() {
    let ws = workspace();
    std::fs::rename(ws.path().join("returns/2015-10"), ws.path().join("returns/十月")).expect("rename");
    let o = huizong(ws.path(), &["run", "returns/十月", "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--period"), "{}", stderr(&o));
    let o = huizong(ws.path(), &["run", "returns/十月", "-q", "--period", "2015-10"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(ws.path().join("输出/汇总_2015-10.json").is_file());
}

#[test]
fn the_folder_shorthand_runs_and_strict_exits_3_on_errors() {
    let ws = workspace();
    let o = huizong(ws.path(), &["returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(ws.path().join("输出/汇总_2015-10.xlsx").is_file());
    // basic.xlsx has a 2-star point and missing units: errors.
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q", "--strict"]);
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn check_prints_problems_writes_nothing_and_exits_1_on_errors() {
    let ws = workspace();
    let o = huizong(ws.path(), &["check", "returns/2015-10"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("汤溪镇.xlsx：已采用（汤溪镇）"), "{out}");
    assert!(out.contains("表头在第4行"), "{out}");
    assert!(out.contains("星级未达标"), "{out}");
    assert!(!ws.path().join("输出").exists(), "check writes nothing");
}

#[test]
fn check_outside_a_workspace_uses_the_defaults_and_reports_reading_problems_only() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(fixtures().join("reader/values.xlsx"), tmp.path().join("汤溪镇.xlsx")).expect("copy");
    let o = huizong(tmp.path(), &["check", "汤溪镇.xlsx", "--period", "2015-10"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("数据格式有误"), "{out}");
    assert!(!out.contains("名称未匹配"), "no master list, no matching: {out}");
    assert_eq!(o.status.code(), Some(0), "reading problems are warnings: {out}");
}

#[test]
fn two_folders_with_period_is_a_usage_error() {
    let ws = workspace();
    std::fs::create_dir_all(ws.path().join("returns/2015-11")).expect("mkdir");
    let o = huizong(ws.path(), &["run", "returns/2015-10", "returns/2015-11", "--period", "2015-10"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_master_list_in_xlsx_with_a_title_row_gives_the_same_matches_as_the_csv() {
    let ws = workspace();
    let csv = huizong(ws.path(), &["run", "returns/2015-10", "-q", "-o", "out_csv"]);
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    std::fs::copy(fixtures().join("workspace/名册.xlsx"), ws.path().join("名册.xlsx")).expect("copy");
    let xlsx = huizong(ws.path(), &["run", "returns/2015-10", "-q", "-o", "out_xlsx", "-m", "名册.xlsx"]);
    assert_eq!(xlsx.status.code(), Some(0), "{}", stderr(&xlsx));
    let records = |dir: &str| -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(ws.path().join(dir).join("汇总_2015-10.json")).expect("report");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        v["records"].as_array().expect("records").iter().map(|r| r["org"].clone()).collect()
    };
    let from_csv = records("out_csv");
    assert!(from_csv.iter().filter(|o| !o.is_null()).count() >= 5, "{from_csv:?}");
    assert_eq!(from_csv, records("out_xlsx"));
}

#[test]
fn a_byte_identical_copy_is_superseded_and_never_counted_twice() {
    let ws = workspace();
    let period = ws.path().join("returns/2015-10");
    std::fs::copy(period.join("汤溪镇.xlsx"), period.join("汤溪镇(1).xlsx")).expect("copy");
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let statuses: Vec<(String, String)> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (f["path"].as_str().unwrap_or("").to_string(), f["status"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(statuses.iter().filter(|(_, s)| s == "used").count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|(_, s)| s == "superseded").count(), 1, "{statuses:?}");
    assert_eq!(v["records"].as_array().expect("records").len(), 6, "the copy's rows are not counted");
    let superseded =
        v["issues"].as_array().expect("issues").iter().find(|i| i["code"] == "superseded_file").expect("issue");
    assert!(superseded["message"].as_str().unwrap_or("").contains("内容完全相同"), "{superseded}");
}

#[test]
fn a_sheet_over_the_cell_limit_is_rejected_with_the_limit_named() {
    let ws = workspace();
    let cfg = ws.path().join("huizong.toml");
    let text = std::fs::read_to_string(&cfg).expect("config");
    std::fs::write(&cfg, text.replacen("max_cells_per_sheet = 1000000", "max_cells_per_sheet = 20", 1)).expect("write");
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let file = &v["files"][0];
    assert_eq!(file["status"], "rejected");
    let reason = file["reason"].as_str().unwrap_or("");
    assert!(reason.contains("超过20个单元格的上限") && reason.contains("汤溪镇"), "{reason}");
    assert!(v["issues"].as_array().expect("issues").iter().any(|i| i["code"] == "skipped_sheet"));
}

#[test]
fn a_combined_file_gets_one_missing_column_issue_per_unit_and_sheet() {
    let ws = workspace();
    let period = ws.path().join("returns/2015-10");
    std::fs::remove_file(period.join("汤溪镇.xlsx")).expect("rm");
    // Rows alternate between the two units, and no 责任人/完成时限/工作举措 columns.
    let csv = "所属乡镇（街道）,党组织名称,星级\n汤溪镇,寺平村党支部,4\n罗埠镇,邵家村党支部,4\n汤溪镇,汤溪村党支部,4\n罗埠镇,邵家村党支部,4\n";
    std::fs::write(period.join("合并报表.csv"), csv).expect("write");
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let sheet_level: Vec<String> = v["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter(|i| i["code"] == "plan_incomplete" && i["source"]["row"].is_null())
        .map(|i| i["unit"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(sheet_level, vec!["汤溪镇", "罗埠镇"]);
}

#[test]
fn the_output_folder_may_not_be_the_period_folder() {
    let ws = workspace();
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q", "-o", "returns/2015-10"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("就是报表文件夹"), "{}", stderr(&o));
    let names: Vec<_> =
        std::fs::read_dir(ws.path().join("returns/2015-10")).expect("dir").flatten().map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 1, "nothing written among the inputs: {names:?}");
}

/// The names of the temporary files (`.huizong-*.tmp`) in `dir`.
fn temporary_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("outputs")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_failed_run_leaves_the_previous_outputs_intact() {
    let ws = workspace();
    let ok = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let out = ws.path().join("输出");
    let before: Vec<(std::ffi::OsString, Vec<u8>)> = std::fs::read_dir(&out)
        .expect("outputs")
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name(), std::fs::read(e.path()).expect("read")))
        .collect();
    assert_eq!(before.len(), 2);
    // A master list with a duplicate key makes the next run fail before anything is written.
    let master = ws.path().join("名册.csv");
    let mut text = std::fs::read_to_string(&master).expect("master");
    let dup = text.lines().nth(1).expect("a row").to_string();
    text.push_str(&dup);
    text.push('\n');
    std::fs::write(&master, text).expect("write");
    let failed = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(failed.status.code(), Some(2));
    assert!(stderr(&failed).contains("重复"), "{}", stderr(&failed));
    for (name, bytes) in before {
        assert_eq!(std::fs::read(out.join(&name)).expect("still there"), bytes, "{name:?} changed");
    }
    assert_eq!(temporary_files(&out), Vec::<String>::new(), "no temporary files left behind");
}

#[test]
fn correction_lists_are_written_per_unit_and_skipped_with_no_unit_lists() {
    let ws = workspace();
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lists = ws.path().join("输出/退回修改");
    let names: Vec<String> = std::fs::read_dir(&lists)
        .expect("lists")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"汤溪镇_问题清单_2015-10.xlsx".to_string()), "{names:?}");
    // A unit without errors or warnings gets no list; 罗埠镇 sent nothing, which is its error.
    assert!(names.iter().all(|n| n.ends_with("_问题清单_2015-10.xlsx")), "{names:?}");
    // The next run rewrites this period's lists: a stale one goes, another period's stays.
    std::fs::write(lists.join("旧单位_问题清单_2015-10.xlsx"), b"stale").expect("stale");
    std::fs::write(lists.join("汤溪镇_问题清单_2015-09.xlsx"), b"september").expect("other period");
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!lists.join("旧单位_问题清单_2015-10.xlsx").exists());
    assert!(lists.join("汤溪镇_问题清单_2015-09.xlsx").exists());
    let ws2 = workspace();
    let o = huizong(ws2.path(), &["run", "returns/2015-10", "-q", "--no-unit-lists"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!ws2.path().join("输出/退回修改").exists());
}

#[test]
fn a_correction_list_that_cannot_be_written_fails_the_run_and_nothing_is_replaced() {
    let ws = workspace();
    let ok = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let out = ws.path().join("输出");
    let summary = std::fs::read(out.join("汇总_2015-10.xlsx")).expect("summary");
    let report = std::fs::read(out.join("汇总_2015-10.json")).expect("report");
    // The lists' folder is a file now: no list can be made, on any of the list threads.
    std::fs::remove_dir_all(out.join("退回修改")).expect("remove lists");
    std::fs::write(out.join("退回修改"), b"not a folder").expect("block");
    let failed = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("无法写入"), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("问题清单"), "{}", stderr(&failed));
    assert_eq!(std::fs::read(out.join("汇总_2015-10.xlsx")).expect("summary"), summary);
    assert_eq!(std::fs::read(out.join("汇总_2015-10.json")).expect("report"), report);
    assert_eq!(temporary_files(&out), Vec::<String>::new(), "no temporary files left behind");
}

/// An .xlsx-named zip whose one entry inflates 48 MB of zeros from a few kilobytes.
fn zip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", options).expect("entry");
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..48 {
        zip.write_all(&zeros).expect("write");
    }
    zip.finish().expect("finish").into_inner()
}

#[test]
fn a_zip_bomb_is_rejected_before_it_is_inflated() {
    let ws = workspace();
    std::fs::write(ws.path().join("returns/2015-10/罗埠镇.xlsx"), zip_bomb()).expect("bomb");
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let f = v["files"].as_array().expect("files").iter().find(|f| f["path"] == "罗埠镇.xlsx").expect("listed");
    assert_eq!(f["status"], "rejected");
    assert!(f["reason"].as_str().is_some_and(|r| r.contains("压缩比") && r.contains("请让罗埠镇")), "{f}");
    // With the ratio allowed, the total size limit still holds.
    let cfg = ws.path().join("huizong.toml");
    let conf = std::fs::read_to_string(&cfg).expect("config");
    std::fs::write(
        &cfg,
        conf.replacen("max_zip_ratio = 200", "max_zip_ratio = 100000", 1).replacen(
            "max_unzipped_mb = 1024",
            "max_unzipped_mb = 10",
            1,
        ),
    )
    .expect("write");
    huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let f = v["files"].as_array().expect("files").iter().find(|f| f["path"] == "罗埠镇.xlsx").expect("listed");
    assert!(f["reason"].as_str().is_some_and(|r| r.contains("解压后约48MB") && r.contains("10MB")), "{f}");
}

#[test]
fn an_xls_or_ods_with_a_stray_far_cell_is_rejected_before_calamine_builds_its_grid() {
    for ext in ["xls", "ods"] {
        far_cell_is_rejected(ext);
    }
}

fn far_cell_is_rejected(ext: &str) {
    let ws = workspace();
    let name = format!("罗埠镇.{ext}");
    std::fs::copy(fixtures().join(format!("hostile/far_cell.{ext}")), ws.path().join("returns/2015-10").join(&name))
        .expect("copy");
    // Building the 16.7-million-cell grid would take 671 MB; the run's peak resident memory
    // (as HUIZONG_TIMING reports it after each stage) stays far below. An address-space limit
    // (`ulimit -v`) said the same less reliably: how much address space mimalloc reserves and
    // how many threads run at once decide whether a run fits, whatever it resides in.
    let o = Command::new(env!("CARGO_BIN_EXE_huizong"))
        .args(["run", "returns/2015-10", "-q"])
        .env("HUIZONG_TIMING", "1")
        .current_dir(ws.path())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let peak_mb = stderr(&o)
        .lines()
        .filter_map(|l| l.split("内存峰值 ").nth(1)?.split(' ').next()?.parse::<u64>().ok())
        .max()
        .expect("HUIZONG_TIMING reports the peak");
    assert!(peak_mb < 300, "{ext}: peak {peak_mb} MB");
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let f = v["files"].as_array().expect("files").iter().find(|f| f["path"] == name.as_str()).expect("listed");
    assert_eq!(f["status"], "rejected", "{ext}");
    assert!(f["reason"].as_str().is_some_and(|r| r.contains(":IV65536") && r.contains("请让罗埠镇")), "{f}");
}

/// Runs one hostile fixture as 汤溪镇's return; returns the report.
fn run_hostile(fixture: &str) -> (Output, serde_json::Value) {
    let ws = workspace();
    let period = ws.path().join("returns/2015-10");
    std::fs::remove_file(period.join("汤溪镇.xlsx")).expect("rm");
    std::fs::copy(fixtures().join("hostile").join(fixture), period.join("汤溪镇.xlsx")).expect("copy");
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    (o, serde_json::from_str(&text).expect("json"))
}

#[test]
fn a_reference_past_excels_grid_is_a_rejection_not_a_crash() {
    let (o, v) = run_hostile("long_ref.xlsx");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "a reader panic stays quiet: {}", stderr(&o));
    let f = &v["files"][0];
    assert_eq!(f["status"], "rejected");
    assert!(f["reason"].as_str().is_some_and(|r| r.contains("请让汤溪镇")), "{f}");
}

#[test]
fn an_unknown_error_value_blanks_one_cell_not_the_sheet() {
    let (o, v) = run_hostile("spill.xlsx");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(v["files"][0]["status"], "used");
    let names: Vec<&str> =
        v["records"].as_array().expect("records").iter().filter_map(|r| r["raw_name"].as_str()).collect();
    assert_eq!(names, vec!["寺平村党支部", "汤溪村党支部"]);
    let bad = v["issues"].as_array().expect("issues").iter().find(|i| i["code"] == "bad_value").expect("reported");
    assert!(bad["message"].as_str().is_some_and(|m| m.contains("#SPILL!")), "{bad}");
    assert_eq!(bad["source"]["sheet"], "10月");
}

#[test]
fn cell_level_problems_stay_cell_level() {
    let ws = workspace();
    let period = ws.path().join("returns/2015-10");
    std::fs::remove_file(period.join("汤溪镇.xlsx")).expect("rm");
    let long = "措施".repeat(20_000);
    let rows = [
        "党组织名称,是否示范点,星级,工作举措".to_string(),
        format!("寺平村党支部,是,4,{long}"),
        "汤溪村\u{1}党支部,否,3,有控制\u{7}字符".to_string(),
        "\"=HYPERLINK(\"\"http://x\"\")\",否,3,公式样的文字".to_string(),
    ];
    std::fs::write(period.join("汤溪镇.csv"), rows.join("\n")).expect("csv");
    let mut broken = "党组织名称,星级\n孙家村党支部,3\n".as_bytes().to_vec();
    broken.extend_from_slice(b"\xff\xfe\x81\n");
    std::fs::write(period.join("罗埠镇.csv"), broken).expect("csv");
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let records = v["records"].as_array().expect("records");
    // Text beyond Excel's 32,767-character cell limit is kept whole in the JSON.
    assert_eq!(records[0]["measures"].as_str().map(|m| m.chars().count()), Some(40_000));
    // A control character does not stop the name from being recognised.
    assert_eq!(records[1]["org"]["name"], "汤溪村党支部");
    // Broken bytes in a CSV: the file is read, the rows kept, and the problem reported once.
    assert_eq!(v["files"][1]["status"], "used", "{}", v["files"]);
    assert!(records.iter().any(|r| r["raw_name"] == "孙家村党支部"));
    let bad: Vec<&serde_json::Value> =
        v["issues"].as_array().expect("issues").iter().filter(|i| i["code"] == "bad_value").collect();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0]["message"].as_str().is_some_and(|m| m.contains("GB18030")));
    // The workbook is written, and formula-like text from a return stays text.
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(ws.path().join("输出/汇总_2015-10.xlsx")).expect("workbook opens");
    let detail = wb.worksheet_range("明细").expect("明细");
    assert!(detail.used_cells().any(|(_, _, c)| *c == Data::String("=HYPERLINK(\"http://x\")".to_string())));
    let formulas = wb.worksheet_formula("明细").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell of 明细 is a formula");
}

/// SPEC §8 / issue 6: one good return beside every hostile case, under a 1 GB address-space
/// limit: the run completes with exit 0, prints no panic, keeps every row of the good
/// return and lists each bad file with its reason.
#[test]
fn one_good_return_beside_every_hostile_case() {
    let ws = workspace();
    let period = ws.path().join("returns/2015-10");
    let reader = fixtures().join("reader");
    let hostile = fixtures().join("hostile");
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/calamine-tests");
    // The good return is 罗埠镇's; the hostile files carry 汤溪镇 content or none.
    std::fs::remove_file(period.join("汤溪镇.xlsx")).expect("rm");
    std::fs::copy(reader.join("two_row_header.xlsx"), period.join("罗埠镇.xlsx")).expect("good return");
    let copies: [(PathBuf, &str); 10] = [
        (hostile.join("far_cell.xls"), "罗埠镇远处单元格.xls"),
        (hostile.join("far_cell.ods"), "洋埠镇远处单元格.ods"),
        (hostile.join("long_ref.xlsx"), "苏孟乡超长引用.xlsx"),
        (hostile.join("spill.xlsx"), "秋滨街道新错误值.xlsx"),
        (reader.join("truncated.xlsx"), "三江街道截断.xlsx"),
        (reader.join("corrupt.xlsx"), "西关街道乱码.xlsx"),
        (reader.join("basic.xls"), "江南街道.et"),
        (reader.join("~$basic.xlsx"), "~$汤溪镇.xlsx"),
        (reader.join("archive.zip"), "附件.zip"),
        (corpus.join("pass_protected.xlsx"), "网络经济产业党委加密.xlsx"),
    ];
    for (from, to) in &copies {
        std::fs::copy(from, period.join(to)).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
    std::fs::write(
        period.join("商会党委.xls"),
        "<html><body><table><tr><td>党组织名称</td></tr></table></body></html>",
    )
    .expect("html");
    std::fs::write(period.join("空文件.xlsx"), b"").expect("empty");
    std::fs::write(period.join("压缩炸弹.xlsx"), zip_bomb()).expect("bomb");
    let script = format!("ulimit -v 1000000; exec '{}' run returns/2015-10 -q", env!("CARGO_BIN_EXE_huizong"));
    let o = Command::new("sh").arg("-c").arg(script).current_dir(ws.path()).output().expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "nothing printed on stderr: {}", stderr(&o));
    let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 14, "every file is listed: {files:?}");
    let status = |name: &str| {
        files.iter().find(|f| f["path"] == name).map(|f| (f["status"].clone(), f["reason"].clone())).expect(name)
    };
    assert_eq!(status("罗埠镇.xlsx").0, "used");
    let good =
        v["records"].as_array().expect("records").iter().filter(|r| r["source"]["file"] == "罗埠镇.xlsx").count();
    assert_eq!(good, 5, "every row of the good return is present");
    for (name, word) in [
        ("罗埠镇远处单元格.xls", "上限"),
        ("洋埠镇远处单元格.ods", "上限"),
        ("苏孟乡超长引用.xlsx", "无法打开"),
        ("三江街道截断.xlsx", "损坏"),
        ("西关街道乱码.xlsx", "损坏"),
        ("江南街道.et", "WPS"),
        ("网络经济产业党委加密.xlsx", "加密"),
        ("商会党委.xls", "网页格式"),
        ("空文件.xlsx", "空文件"),
        ("压缩炸弹.xlsx", "压缩比"),
    ] {
        let (s, reason) = status(name);
        assert_eq!(s, "rejected", "{name}: {reason}");
        assert!(reason.as_str().is_some_and(|r| r.contains(word)), "{name}: {reason}");
    }
    assert_eq!(status("秋滨街道新错误值.xlsx").0, "used");
    for name in ["~$汤溪镇.xlsx", "附件.zip"] {
        assert_eq!(status(name).0, "ignored", "{name}");
    }
}

#[test]
fn a_formula_without_a_cached_value_is_reported_not_blank() {
    let (o, v) = run_hostile("no_cache.xlsx");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bad = v["issues"].as_array().expect("issues").iter().find(|i| i["code"] == "bad_value").expect("reported");
    assert_eq!(bad["source"]["cell"], "C4");
    assert!(bad["message"].as_str().is_some_and(|m| m.contains("公式无计算结果")), "{bad}");
    let r =
        v["records"].as_array().expect("records").iter().find(|r| r["raw_name"] == "汤溪村党支部").expect("row kept");
    assert!(r["star"].is_null());
}

/// Regression: inputs cargo fuzz found (tests/fixtures/fuzz). All are damaged .xls compound
/// files that made calamine allocate without bound (a 2 GB sector chain; a dense grid from
/// a bogus cell; 3.5 GB reserved for a declared dimension) and abort; they are now rejected
/// before calamine sees them.
#[test]
fn fuzz_found_xls_files_are_rejected_within_bounded_memory() {
    for name in ["xls_cfb_chain_oom.bin", "xls_far_cell_from_xlsx_fuzz.bin", "xls_declared_dimension_oom.bin"] {
        let ws = workspace();
        std::fs::copy(fixtures().join("fuzz").join(name), ws.path().join("returns/2015-10/罗埠镇.xls")).expect("copy");
        let script = format!("ulimit -v 1000000; exec '{}' run returns/2015-10 -q", env!("CARGO_BIN_EXE_huizong"));
        let o = Command::new("sh").arg("-c").arg(script).current_dir(ws.path()).output().expect("run");
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let text = std::fs::read_to_string(ws.path().join("输出/汇总_2015-10.json")).expect("report");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        let f = v["files"].as_array().expect("files").iter().find(|f| f["path"] == "罗埠镇.xls").expect("listed");
        assert_eq!(f["status"], "rejected", "{name}");
    }
}

#[test]
fn huizong_timing_prints_each_stage_and_nothing_without_it() {
    let ws = workspace();
    let run = |timing: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_huizong"));
        c.current_dir(ws.path()).args(["run", "returns/2015-10", "-q"]).env_remove("HUIZONG_TIMING");
        if let Some(v) = timing {
            c.env("HUIZONG_TIMING", v);
        }
        c.output().expect("run huizong")
    };
    let timed = stderr(&run(Some("1")));
    for stage in
        ["名册", "读取报表", "建立名册索引", "匹配", "核对", "生成JSON", "生成汇总表", "生成问题清单", "写入文件"]
    {
        assert!(timed.contains(&format!("耗时 {stage} ")), "{stage} missing in {timed}");
    }
    assert!(timed.contains("内存峰值"), "{timed}");
    assert!(!stderr(&run(None)).contains("耗时"));
    assert!(!stderr(&run(Some("0"))).contains("耗时"));
}

#[test]
fn an_unusable_temporary_folder_is_named_not_a_crash() {
    // rust_xlsxwriter makes a temporary file for every worksheet and panics when it cannot.
    let ws = workspace();
    let missing = ws.path().join("没有这个文件夹");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_huizong"))
            .current_dir(ws.path())
            .args(args)
            .env("TMPDIR", &missing)
            .output()
            .expect("run huizong")
    };
    let o = run(&["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("临时文件夹") && stderr(&o).contains("TMPDIR"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("内部错误"), "{}", stderr(&o));
    assert!(!ws.path().join("输出/汇总_2015-10.xlsx").exists());
    // `check` writes no workbook and does not need it.
    let o = run(&["check", "returns/2015-10"]);
    assert!(!stderr(&o).contains("临时文件夹"), "{}", stderr(&o));
}

#[test]
fn a_previous_report_that_is_not_ours_is_a_usage_error_and_nothing_is_written() {
    let ws = workspace();
    std::fs::create_dir_all(ws.path().join("输出")).expect("output folder");
    std::fs::write(ws.path().join("输出/汇总_2015-09.json"), "{\"schema\": \"something else\"}").expect("write");
    let o = huizong(ws.path(), &["run", "returns/2015-10", "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("不是 huizong 生成的 JSON 报告"), "{}", stderr(&o));
    assert!(!ws.path().join("输出/汇总_2015-10.xlsx").exists());
    assert!(!ws.path().join("输出/汇总_2015-10.json").exists());
}
