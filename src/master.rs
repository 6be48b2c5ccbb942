//! The master list (名册) of grassroots organisations (SPEC §3.1): read from xlsx/xls/ods/csv
//! with the header found the tolerant way, every row checked (a configured unit, a name, a
//! unique key). Problems are configuration errors that name the row.

use crate::HashMap;
use std::path::Path;

use thiserror::Error;

use crate::config::Config;
use crate::layout::fold_header;
use crate::read::{self, GridRow};
use crate::values::{self, CellValue};

/// One organisation of the master list.
#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub unit: String,
    pub name: String,
    pub code: Option<String>,
    pub kind: String,
    pub aliases: Vec<String>,
    pub star: Option<u8>,
    /// 1-based row in the master list, for messages.
    pub row: u32,
}

#[derive(Debug, Error)]
pub enum MasterError {
    #[error("无法读取名册 {path}：{message}")]
    Read { path: String, message: String },
    #[error("名册 {path}：{message}")]
    Invalid { path: String, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Col {
    Unit,
    Name,
    Code,
    Kind,
    Aliases,
    Star,
}

const HEADERS: [(Col, &[&str]); 6] = [
    (Col::Unit, &["单位", "所属单位", "乡镇(街道)", "所属乡镇(街道)", "乡镇", "街道", "所属乡镇"]),
    (Col::Name, &["组织名称", "党组织名称", "标准名称", "名称", "党组织全称"]),
    (Col::Code, &["组织编码", "编码", "组织代码", "代码"]),
    (Col::Kind, &["组织类别", "类别", "组织类型", "类型"]),
    (Col::Aliases, &["别名", "简称", "曾用名"]),
    (Col::Star, &["现星级", "星级", "当前星级"]),
];

fn assign(cells: &[(u32, String)]) -> HashMap<Col, u32> {
    let mut cands: Vec<((bool, usize), u32, Col)> = Vec::new();
    for (col, text) in cells {
        let h = fold_header(text);
        for (key, syns) in HEADERS {
            let best = syns
                .iter()
                .map(|s| fold_header(s))
                .filter(|s| h == *s || h.contains(s.as_str()))
                .map(|s| (h == s, s.chars().count()))
                .max();
            if let Some(score) = best {
                cands.push((score, *col, key));
            }
        }
    }
    cands.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out = HashMap::default();
    for (_, col, key) in cands {
        if !out.contains_key(&key) && !out.values().any(|c| *c == col) {
            out.insert(key, col);
        }
    }
    out
}

/// Splits an alias cell on 、；; , and new lines.
pub fn split_aliases(s: &str) -> Vec<String> {
    s.split(['、', '；', ';', '，', ',', '\n', '\r', '/'])
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

/// Loads and checks the master list at `path` against the configured units.
pub fn load(path: &Path, config: &Config) -> Result<Vec<Org>, MasterError> {
    let shown = path.display().to_string();
    let read_err = |message: String| MasterError::Read { path: shown.clone(), message };
    let bytes =
        std::fs::read(path).map_err(|e| read_err(format!("{e}。请确认 huizong.toml 中 master 指向的文件存在")))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    let format = read::sniff::sniff(&bytes, &ext);
    if !format.is_spreadsheet() {
        return Err(read_err("不是表格文件，名册应为 xlsx、xls、ods 或 csv".to_string()));
    }
    let wb = read::read_workbook(&bytes, format, &config.limits).map_err(|e| read_err(e.to_string()))?;
    let mut unreadable: Option<String> = None;
    for sheet in wb.sheets.iter().filter(|s| s.visible) {
        let grid = match &sheet.grid {
            Ok(grid) => grid,
            Err(e) => {
                unreadable.get_or_insert_with(|| format!("工作表\u{201C}{}\u{201D}无法读取：{e}", sheet.name));
                continue;
            }
        };
        let header = grid.rows.iter().filter(|r| r.index < 30).find_map(|row| {
            let cols = assign(&row.non_blank().map(|(c, v)| (c, v.text())).collect::<Vec<_>>());
            (cols.contains_key(&Col::Unit) && cols.contains_key(&Col::Name)).then_some((row.index, cols))
        });
        let Some((header_row, cols)) = header else { continue };
        return parse_rows(grid.rows.iter().filter(|r| r.index > header_row), &cols, config, &shown);
    }
    // A sheet that could not be read (over the cell limit, damaged) is the likelier cause.
    let message = match unreadable {
        Some(why) => {
            format!("{why}。名册很大时，请在 huizong.toml 的 [limits] 中调高 max_cells_per_sheet（单元格数上限）")
        }
        None => "未找到表头：名册须有\u{201C}单位\u{201D}和\u{201C}组织名称\u{201D}两列".to_string(),
    };
    Err(MasterError::Invalid { path: shown, message })
}

fn parse_rows<'a>(
    rows: impl Iterator<Item = &'a GridRow>,
    cols: &HashMap<Col, u32>,
    config: &Config,
    shown: &str,
) -> Result<Vec<Org>, MasterError> {
    let invalid = |message: String| MasterError::Invalid { path: shown.to_string(), message };
    let vocab = crate::layout::Layout::embedded().vocab;
    let get = |row: &GridRow, col: Col| cols.get(&col).map_or(CellValue::Empty, |c| row.get(*c).clone());
    let mut orgs: Vec<Org> = Vec::new();
    let mut by_key: HashMap<(String, String), u32> = HashMap::default();
    let mut by_code: HashMap<String, u32> = HashMap::default();
    // Each unit by its name and aliases (the first configured unit wins, as in is_named).
    let mut units: HashMap<&str, &crate::config::Unit> = HashMap::default();
    for u in &config.units {
        for w in std::iter::once(&u.name).chain(&u.aliases) {
            units.entry(w.as_str()).or_insert(u);
        }
    }
    for row in rows.filter(|r| !r.is_blank()) {
        let n = row.index + 1;
        let unit_text = get(row, Col::Unit).text();
        let name = get(row, Col::Name).text();
        if name.is_empty() && unit_text.is_empty() {
            continue;
        }
        if name.is_empty() {
            return Err(invalid(format!("第{n}行缺少组织名称")));
        }
        let unit = units.get(unit_text.as_str()).copied().ok_or_else(|| {
            invalid(format!("第{n}行的单位\u{201C}{unit_text}\u{201D}不在 huizong.toml 配置的单位中"))
        })?;
        let code = Some(get(row, Col::Code).text()).filter(|c| !c.is_empty());
        if let Some(code) = &code
            && let Some(first) = by_code.insert(code.clone(), n)
        {
            return Err(invalid(format!("组织编码\u{201C}{code}\u{201D}重复：第{first}行和第{n}行")));
        }
        if code.is_none()
            && let Some(first) = by_key.insert((unit.name.clone(), name.clone()), n)
        {
            return Err(invalid(format!(
                "{}\u{201C}{name}\u{201D}重复：第{first}行和第{n}行。同名组织请填写组织编码区分",
                unit.name
            )));
        }
        let star = values::star(&get(row, Col::Star), &vocab).ok().flatten();
        orgs.push(Org {
            unit: unit.name.clone(),
            name,
            code,
            kind: get(row, Col::Kind).text(),
            aliases: split_aliases(&get(row, Col::Aliases).text()),
            star,
            row: n,
        });
    }
    if orgs.is_empty() {
        return Err(invalid("名册中没有任何组织，请先填写名册".to_string()));
    }
    Ok(orgs)
}

#[cfg(test)]
mod tests {
    use super::{load, split_aliases};
    use crate::config::Config;

    #[test]
    fn a_master_list_over_the_cell_limit_says_so_and_names_the_setting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("名册.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("名册").expect("name");
        for (c, h) in ["单位", "组织名称"].iter().enumerate() {
            ws.write(0, c as u16, *h).expect("write");
        }
        for r in 1..20u32 {
            ws.write(r, 0, "汤溪镇").expect("write");
            ws.write(r, 1, format!("第{r}村党支部")).expect("write");
        }
        wb.save(&path).expect("save");
        let mut config = Config::defaults(dir.path());
        config.limits.max_cells_per_sheet = 10;
        let message = load(&path, &config).expect_err("over the limit").to_string();
        assert!(message.contains("工作表\u{201C}名册\u{201D}无法读取"), "{message}");
        assert!(message.contains("max_cells_per_sheet"), "{message}");
        config.limits.max_cells_per_sheet = 1_000;
        assert_eq!(load(&path, &config).expect("within the limit").len(), 19);
    }

    #[test]
    fn aliases_split_on_every_listed_separator() {
        assert_eq!(
            split_aliases("寺平、四平村；古寺平;老寺平\n寺平村委"),
            vec!["寺平", "四平村", "古寺平", "老寺平", "寺平村委"]
        );
        assert!(split_aliases("  ").is_empty());
    }
}
