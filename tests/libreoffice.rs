//! A real office suite reads the summary workbook: the sample run's 汇总_2015-10.xlsx is
//! converted by LibreOffice (headless) into one CSV per sheet, and the figures LibreOffice
//! shows on 汇总 must be those of the JSON report. This catches what calamine forgives: a
//! figure left to a formula no other reader computes, a sheet LibreOffice cannot load, a
//! number written as text. The correction lists are converted too, and each must show its
//! unit's errors and warnings as the JSON has them (all but the first list of a run are
//! written as rust_xlsxwriter's XML by huizong itself, `report/list_xml.rs`).
//!
//! LibreOffice is required, not optional: without `soffice` on PATH the test fails and says
//! how to install it (a skipped test would prove nothing). CI installs `libreoffice-calc`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use huizong::report::workbook::SHEETS;
use serde_json::Value;

/// LibreOffice's first start with a fresh profile takes a few seconds; a hung conversion
/// must not hang the test suite.
const CONVERT_TIMEOUT: Duration = Duration::from_secs(90);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `soffice` (or `libreoffice`) on PATH.
fn soffice() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["soffice", "libreoffice", "soffice.exe"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "LibreOffice is needed for this test but `soffice` is not on PATH.\n\
         Install it (Debian/Ubuntu: `sudo apt-get install libreoffice-calc`; macOS: \
         `brew install --cask libreoffice` and add /Applications/LibreOffice.app/Contents/MacOS \
         to PATH), then run the tests again."
    );
}

/// A `file://` URL for a local folder, as LibreOffice's `-env:UserInstallation` wants it.
fn file_url(dir: &Path) -> String {
    let s = dir.to_string_lossy().replace('\\', "/");
    if s.starts_with('/') { format!("file://{s}") } else { format!("file:///{s}") }
}

/// Converts every sheet of `xlsx` to `<stem>-<sheet>.csv` in `out` (UTF-8, comma-separated;
/// the last filter token, -1, asks LibreOffice 7.2+ for all sheets).
fn convert_all_sheets(xlsx: &Path, out: &Path, profile: &Path) {
    convert_all_sheets_of(&[xlsx], out, profile);
}

/// [`convert_all_sheets`] for several workbooks at once (one LibreOffice start).
fn convert_all_sheets_of(files: &[&Path], out: &Path, profile: &Path) {
    let xlsx = files.first().expect("a workbook");
    let mut child = Command::new(soffice())
        .arg(format!("-env:UserInstallation={}", file_url(profile)))
        .args(["--headless", "--norestore", "--convert-to"])
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
        .arg("--outdir")
        .arg(out)
        .args(files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start soffice");
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait for soffice") {
            Some(_) => break,
            None if start.elapsed() > CONVERT_TIMEOUT => {
                // Our own child, by its id.
                let _ = child.kill();
                panic!("LibreOffice did not finish converting {} within {CONVERT_TIMEOUT:?}", xlsx.display());
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let output = child.wait_with_output().expect("soffice output");
    assert!(
        output.status.success(),
        "soffice failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The records of a CSV file as LibreOffice writes it: fields separated by commas, quoted
/// with " when they hold a comma, a quote or a line break, "" for a quote inside.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.trim_start_matches('\u{FEFF}').chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// How a JSON figure looks in the sheet: a count as digits, a figure that does not apply as
/// —, yes/no as 是/否.
fn shown(v: &Value, null: &str) -> String {
    match v {
        Value::Null => null.to_string(),
        Value::Bool(b) => (if *b { "是" } else { "否" }).to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => panic!("not a figure: {v}"),
    }
}

#[test]
fn libreoffice_reads_every_sheet_and_the_figures_of_the_json() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("输出");
    let status = Command::new(env!("CARGO_BIN_EXE_huizong"))
        .current_dir(repo())
        .args(["run", "samples/returns/2015-09", "samples/returns/2015-10", "-q", "-o"])
        .arg(&out)
        .status()
        .expect("run huizong");
    assert_eq!(status.code(), Some(0));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("汇总_2015-10.json")).expect("JSON report"))
            .expect("valid JSON");

    let csv_dir = tmp.path().join("csv");
    convert_all_sheets(&out.join("汇总_2015-10.xlsx"), &csv_dir, &tmp.path().join("lo_profile"));

    // Every sheet converted, none more.
    let mut written: Vec<String> = std::fs::read_dir(&csv_dir)
        .expect("CSV folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut want: Vec<String> = SHEETS.iter().map(|s| format!("汇总_2015-10-{s}.csv")).collect();
    want.sort();
    assert_eq!(written, want, "one CSV per sheet");
    let sheet = |name: &str| {
        let text = std::fs::read_to_string(csv_dir.join(format!("汇总_2015-10-{name}.csv"))).expect("CSV");
        parse_csv(&text)
    };

    // 汇总: each unit's figures as LibreOffice shows them equal the JSON's.
    let rows = sheet("汇总");
    let header = rows.iter().find(|r| r.iter().any(|c| c == "有效点数")).expect("header row of 汇总");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let col_ending =
        |suffix: &str| header.iter().position(|h| h.ends_with(suffix)).unwrap_or_else(|| panic!("no column …{suffix}"));
    #[rustfmt::skip]
    let columns = [
        (col("是否上报"), "submitted", ""), (col("应建点数"), "quota_points", "—"),
        (col("上报点数"), "reported_points", ""), (col("有效点数"), "valid_points", ""),
        (col("上月有效点数"), "prev_valid_points", ""), (col("点数缺口"), "points_shortfall", "—"),
        (col("应建示范点"), "quota_demo", ""), (col("上报示范点"), "reported_demo", ""),
        (col("有效示范点"), "valid_demo", ""), (col("上月有效示范点"), "prev_valid_demo", ""),
        (col_ending("以上示范点"), "demo_qualified", ""), (col("示范点缺口"), "demo_shortfall", ""),
        (col_ending("以上点数"), "points_star_ok", ""), (col("星级未达标"), "star_low", ""),
        (col("场所不达标"), "venue_failures", ""), (col("错误数"), "errors", ""), (col("警告数"), "warnings", ""),
        (col("是否达标"), "compliant", ""),
    ];
    let units = report["units"].as_array().expect("units");
    assert_eq!(units.len(), 10);
    let mut mismatches = Vec::new();
    for u in units {
        let name = u["unit"].as_str().expect("unit");
        let row = rows.iter().find(|r| r.get(col("单位")).is_some_and(|c| c == name)).expect(name);
        for (c, key, null) in columns {
            let got = row.get(c).map(String::as_str).unwrap_or("");
            let want = shown(&u[key], null);
            if got != want {
                mismatches.push(format!("{name} {}: LibreOffice shows {got:?}, the JSON has {want:?}", header[c]));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // The 合计 row holds values, not formulas only Excel would compute.
    let total = rows.iter().find(|r| r.get(col("单位")).is_some_and(|c| c == "合计")).expect("合计 row");
    for (name, key) in [("上报点数", "reported_points"), ("有效点数", "valid_points"), ("错误数", "errors")]
    {
        let sum: i64 = units.iter().map(|u| u[key].as_i64().expect("count")).sum();
        assert_eq!(total[col(name)], sum.to_string(), "合计 {name}");
    }

    // 明细: one numbered row per record.
    let detail = sheet("明细");
    let numbered = detail.iter().filter(|r| r.first().is_some_and(|c| c.parse::<u32>().is_ok())).count();
    assert_eq!(numbered, report["records"].as_array().expect("records").len(), "明细 rows");

    // The correction lists (the first of a run made by rust_xlsxwriter, the others written
    // directly as its XML): LibreOffice shows each unit's errors and warnings, as the JSON has them.
    let lists_dir = out.join("退回修改");
    let mut lists: Vec<PathBuf> =
        std::fs::read_dir(&lists_dir).expect("lists").map(|e| e.expect("entry").path()).collect();
    lists.sort();
    assert!(lists.len() >= 2, "{lists:?}");
    let lists_csv = tmp.path().join("lists_csv");
    let list_refs: Vec<&Path> = lists.iter().map(PathBuf::as_path).collect();
    convert_all_sheets_of(&list_refs, &lists_csv, &tmp.path().join("lo_profile"));
    let issues = report["issues"].as_array().expect("issues");
    for list in &lists {
        let stem = list.file_stem().expect("stem").to_string_lossy().into_owned();
        let unit = stem.split('_').next().expect("unit").to_string();
        let text = std::fs::read_to_string(lists_csv.join(format!("{stem}-问题清单.csv"))).expect("list CSV");
        let rows = parse_csv(&text);
        assert!(rows[0][0].starts_with(&unit), "{stem}: title {:?}", rows[0][0]);
        let numbered: Vec<&Vec<String>> =
            rows.iter().filter(|r| r.first().is_some_and(|c| c.parse::<u32>().is_ok())).collect();
        assert_eq!(
            rows[1][0],
            format!(
                "共{}个错误、{}个警告，请于下次报送前改正",
                numbered.iter().filter(|r| r[1] == "错误").count(),
                numbered.iter().filter(|r| r[1] == "警告").count()
            )
        );
        let mut want: Vec<String> = issues
            .iter()
            .filter(|i| i["unit"] == unit.as_str() && (i["severity"] == "error" || i["severity"] == "warning"))
            .map(|i| i["message"].as_str().expect("message").to_string())
            .collect();
        let mut got: Vec<String> = numbered.iter().filter(|r| r[2] != "数据行无名称").map(|r| r[4].clone()).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{stem}");
        let notes = std::fs::read_to_string(lists_csv.join(format!("{stem}-说明.csv"))).expect("notes CSV");
        assert!(parse_csv(&notes).iter().any(|r| r.first().is_some_and(|c| c == "汇总期间")), "{stem}");
    }
}

#[test]
fn the_csv_reader_handles_quotes_commas_and_line_breaks() {
    let rows = parse_csv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\n");
    assert_eq!(rows, [vec!["a", "b,c", "say \"hi\""], vec!["two\nlines", "", "x"]]);
}
