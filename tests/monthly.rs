//! The monthly loop over three consecutive months on a copy of the samples (SPEC §7):
//! 2015-09 → 2015-10 (changes against September), a review decision carried forward,
//! templates for 2015-11 generated from October's report and read back exactly, and a
//! November in which one unit lowers a star and drops a point.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn huizong(ws: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_huizong")).current_dir(ws).args(args).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn report(ws: &Path, period: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(ws.join(format!("输出/汇总_{period}.json"))).expect("report"))
        .expect("json")
}

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ws = tmp.path().join("samples");
    copy_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples"), &ws);
    (tmp, ws)
}

fn codes(report: &Value) -> Vec<String> {
    report["issues"].as_array().expect("issues").iter().map(|i| i["code"].as_str().unwrap_or("").to_string()).collect()
}

/// Copies the generated templates into the next period's folder.
fn templates_as_returns(ws: &Path, period: &str) -> PathBuf {
    let dir = ws.join(format!("returns/{period}"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    for e in std::fs::read_dir(ws.join(format!("输出/填报模板_{period}"))).expect("templates").flatten() {
        std::fs::copy(e.path(), dir.join(e.file_name())).expect("copy");
    }
    dir
}

#[test]
fn unchanged_templates_read_back_exactly() {
    let (_tmp, ws) = workspace();
    huizong(&ws, &["run", "returns/2015-09", "returns/2015-10", "-q"]);
    let out = huizong(&ws, &["template"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2015年11月"),
        "the default period follows the newest report"
    );
    templates_as_returns(&ws, "2015-11");
    huizong(&ws, &["run", "returns/2015-11", "-q"]);
    let oct = report(&ws, "2015-10");
    let nov = report(&ws, "2015-11");
    let prefilled: Vec<(String, String, bool, Value)> = oct["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["valid"] == true)
        .map(|r| {
            (
                r["unit"].to_string(),
                r["org"]["name"].to_string(),
                r["demo"].as_bool().unwrap_or(false),
                r["star"].clone(),
            )
        })
        .collect();
    let read_back: Vec<(String, String, bool, Value)> = nov["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            (r["unit"].to_string(), r["raw_name"].to_string(), r["demo"].as_bool().unwrap_or(false), r["star"].clone())
        })
        .collect();
    assert_eq!(read_back, prefilled, "every pre-filled row comes back as it was");
    assert!(nov["records"].as_array().expect("records").iter().all(|r| r["match"]["method"] == "exact"));
    let data_problems =
        ["bad_value", "rejected_file", "ignored_file", "skipped_sheet", "unit_conflict", "superseded_file"];
    assert!(codes(&nov).iter().all(|c| !data_problems.contains(&c.as_str())), "{:?}", codes(&nov));
    // Deadlines and the rest of the plan survive the round trip.
    // A template always has the five-have columns: all blank reads as "not given" too.
    let field = |r: &Value, k: &str| match &r[k] {
        Value::Object(m) if m.values().all(Value::is_null) => Value::Null,
        v => v.clone(),
    };
    for (a, b) in oct["records"]
        .as_array()
        .expect("r")
        .iter()
        .filter(|r| r["valid"] == true)
        .zip(nov["records"].as_array().expect("r"))
    {
        for k in
            ["deadline", "responsible", "measures", "contact_leader", "venue", "target_star", "acceptance", "five_have"]
        {
            assert_eq!(field(a, k), field(b, k), "{k} of {}", a["raw_name"]);
        }
    }
}

#[test]
fn three_months_changes_and_decisions_carried_forward() {
    let (_tmp, ws) = workspace();
    huizong(&ws, &["run", "returns/2015-09", "returns/2015-10", "-q"]);
    let oct = report(&ws, "2015-10");
    let kinds: Vec<&str> =
        oct["changes"].as_array().expect("changes").iter().filter_map(|c| c["kind"].as_str()).collect();
    assert!(kinds.contains(&"added") && kinds.contains(&"demo_added"), "{kinds:?}");
    let units = oct["units"].as_array().expect("units");
    assert!(units.iter().all(|u| u["prev_valid_points"].is_number()
        || u["quota_points"].is_null()
        || u["prev_valid_points"].is_number()));

    // A decision written to the ledger by hand (as the workbook harvest would) is applied.
    std::fs::write(
        ws.join("核实记录.csv"),
        "\u{feff}单位,上报名称,结论,标准名称,组织编码,期间\r\n罗埠镇,章村,是,上章村党支部,,2015-10\r\n",
    )
    .expect("ledger");
    huizong(&ws, &["run", "returns/2015-10", "-q"]);
    huizong(&ws, &["template", "--period", "2015-11"]);
    let dir = templates_as_returns(&ws, "2015-11");
    // 苏孟乡 revises its template: one point drops a star, another leaves the belt.
    let text = "党组织名称,是否示范点,星级,活动场所,责任人,完成时限,工作举措,联系领导\n".to_string();
    let oct = report(&ws, "2015-10");
    let sumeng: Vec<&Value> =
        oct["records"].as_array().expect("r").iter().filter(|r| r["unit"] == "苏孟乡" && r["valid"] == true).collect();
    let mut csv = text;
    let lowered = sumeng
        .iter()
        .find(|r| r["demo"] == false && r["star"].as_u64() == Some(4))
        .or(sumeng.iter().find(|r| r["demo"] == false))
        .expect("a point");
    let dropped = sumeng
        .iter()
        .rev()
        .find(|r| r["demo"] == false && r["org"]["name"] != lowered["org"]["name"])
        .expect("another point");
    for r in &sumeng {
        if r["org"]["name"] == dropped["org"]["name"] {
            continue;
        }
        let star = if r["org"]["name"] == lowered["org"]["name"] {
            r["star"].as_u64().unwrap_or(3) - 1
        } else {
            r["star"].as_u64().unwrap_or(3)
        };
        csv.push_str(&format!(
            "{},{},{star},{},{},{},{},{}\n",
            r["org"]["name"].as_str().unwrap_or(""),
            if r["demo"] == true { "是" } else { "否" },
            r["venue"].as_str().unwrap_or(""),
            r["responsible"].as_str().unwrap_or(""),
            r["deadline"].as_str().unwrap_or(""),
            r["measures"].as_str().unwrap_or(""),
            r["contact_leader"].as_str().unwrap_or(""),
        ));
    }
    std::fs::write(dir.join("苏孟乡（修改）.csv"), csv).expect("csv");
    huizong(&ws, &["run", "returns/2015-11", "-q"]);
    let nov = report(&ws, "2015-11");
    let changes: Vec<(String, String)> = nov["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| (c["kind"].as_str().unwrap_or("").to_string(), c["org"]["name"].as_str().unwrap_or("").to_string()))
        .collect();
    let lowered_name = lowered["org"]["name"].as_str().expect("name").to_string();
    let dropped_name = dropped["org"]["name"].as_str().expect("name").to_string();
    assert!(changes.contains(&("star_down".to_string(), lowered_name.clone())), "{changes:?}");
    assert!(changes.contains(&("removed".to_string(), dropped_name.clone())), "{changes:?}");
    let issue = |code: &str, name: &str| {
        nov["issues"].as_array().expect("issues").iter().any(|i| {
            i["code"] == code && i["unit"] == "苏孟乡" && i["message"].as_str().is_some_and(|m| m.contains(name))
        })
    };
    assert!(issue("star_down", &lowered_name));
    assert!(issue("point_removed", &dropped_name));
    // The decision made in October is in November's template and matched exactly there.
    let shangzhang = nov["records"]
        .as_array()
        .expect("r")
        .iter()
        .find(|r| r["raw_name"] == "上章村党支部")
        .expect("carried forward");
    assert_eq!(shangzhang["match"]["method"], "exact");
    // Last month's valid counts stand beside this month's.
    let sm = nov["units"].as_array().expect("units").iter().find(|u| u["unit"] == "苏孟乡").expect("unit");
    assert_eq!(sm["prev_valid_points"].as_u64(), Some(sumeng.len() as u64));
    assert_eq!(sm["valid_points"].as_u64(), Some(sumeng.len() as u64 - 1));
}
