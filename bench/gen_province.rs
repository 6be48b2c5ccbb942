//! Generates a province-scale workspace for the benchmarks (SPEC §9): a configuration with N
//! units, a master list of N × M organisations, and one return per unit with R rows, carrying
//! the name noise townships really produce (prefixes, missing suffixes, homophone typos,
//! annotations, aliases, abbreviations, new organisations, duplicates, another unit's
//! organisation, bad values). Deterministic by seed: the same arguments give byte-identical
//! files.
//!
//! Names are built from the characters of the real village names in
//! `../shared/data/jinhua_villages.csv` (embedded from `tests/matching/名册.csv`), so the
//! pinyin collisions are those of real place names.
//!
//! ```text
//! cargo run --release --example gen_province -- OUT [--units 1400] [--rows 120] [--orgs 130] [--seed 2015]
//! ```
//!
//! Writes `OUT/huizong.toml`, `OUT/名册.xlsx`, `OUT/returns/2026-10/<unit>.xlsx` and
//! `OUT/truth.csv` (for every data row: unit, row, the kind of noise, and the code of the
//! organisation it names, empty for a new one).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use huizong::fuzzy::{POSITION_WORDS, Prepared};
use rayon::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const PERIOD: &str = "2026-10";

struct Args {
    out: PathBuf,
    units: usize,
    rows: usize,
    orgs: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { out: PathBuf::new(), units: 1400, rows: 120, orgs: 130, seed: 2015 };
    let mut it = std::env::args().skip(1);
    let mut out = None;
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            it.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--units" => args.units = num("--units")? as usize,
            "--rows" => args.rows = num("--rows")? as usize,
            "--orgs" => args.orgs = num("--orgs")? as usize,
            "--seed" => args.seed = num("--seed")?,
            _ if a.starts_with("--") => return Err(format!("unknown option {a}")),
            _ => out = Some(PathBuf::from(a)),
        }
    }
    args.out = out.ok_or("usage: gen_province OUT [--units N] [--rows R] [--orgs M] [--seed S]")?;
    if args.rows > args.orgs {
        return Err("--rows must not exceed --orgs".to_string());
    }
    Ok(args)
}

/// A small deterministic generator (64-bit LCG).
#[derive(Clone)]
struct Lcg(u64);

impl Lcg {
    fn new(seed: u64, stream: u64) -> Lcg {
        let mut r = Lcg(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() as usize) % n.max(1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Characters of the real place names, and the same characters grouped by first reading.
fn place_chars() -> (Vec<char>, BTreeMap<&'static str, Vec<char>>) {
    let text = include_str!("../tests/matching/名册.csv");
    let mut chars: Vec<char> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .flat_map(|name| Prepared::new(name).core)
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c) && !"村社区党支部总委".contains(*c))
        .collect();
    chars.sort_unstable();
    chars.dedup();
    let mut by_sound: BTreeMap<&'static str, Vec<char>> = BTreeMap::new();
    for c in &chars {
        if let Some(r) = Prepared::new(&c.to_string()).readings.first().and_then(|r| r.first()) {
            by_sound.entry(r).or_default().push(*c);
        }
    }
    (chars, by_sound)
}

struct Org {
    unit: usize,
    core: String,
    kind: &'static str,
    party: &'static str,
    code: String,
    alias: Option<String>,
    star: u8,
}

impl Org {
    fn name(&self) -> String {
        format!("{}{}{}", self.core, self.kind, self.party)
    }
    fn place(&self) -> String {
        format!("{}{}", self.core, self.kind)
    }
}

struct Unit {
    name: String,
    alias: String,
    orgs: Vec<usize>,
}

fn units(n: usize, rng: &mut Lcg, pool: &[char]) -> Vec<Unit> {
    let suffixes = ["镇", "镇", "乡", "街道"];
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let core: String = (0..2).map(|_| *rng.pick(pool)).collect();
        if !seen.insert(core.clone()) {
            continue;
        }
        out.push(Unit { name: format!("{core}{}", rng.pick(&suffixes)), alias: core, orgs: Vec::new() });
    }
    out
}

fn master(units: &mut [Unit], per_unit: usize, rng: &mut Lcg, pool: &[char]) -> Vec<Org> {
    let mut orgs = Vec::with_capacity(units.len() * per_unit);
    for (ui, u) in units.iter_mut().enumerate() {
        let mut cores = HashSet::new();
        while u.orgs.len() < per_unit {
            let len = 2 + usize::from(rng.chance(30));
            let mut core: String = (0..len).map(|_| *rng.pick(pool)).collect();
            if rng.chance(12) {
                core.insert(0, *rng.pick(&POSITION_WORDS));
            }
            if !cores.insert(core.clone()) {
                continue;
            }
            let kind = if rng.chance(15) { "社区" } else { "村" };
            let party = if rng.chance(20) { "党总支" } else { "党支部" };
            let alias = rng.chance(5).then(|| format!("原{}{}村", rng.pick(pool), rng.pick(pool)));
            u.orgs.push(orgs.len());
            orgs.push(Org {
                unit: ui,
                code: format!("33{:06}{:04}", ui + 1, u.orgs.len()),
                core,
                kind,
                party,
                alias,
                star: 1 + rng.below(5) as u8,
            });
        }
    }
    orgs
}

/// Header wordings a township might use, one set per file.
const HEADERS: [[&str; 12]; 3] = [
    [
        "序号",
        "党组织名称",
        "是否示范点",
        "星级",
        "目标星级",
        "活动场所",
        "责任人",
        "完成时限",
        "工作举措",
        "联系领导",
        "进展情况",
        "备注",
    ],
    [
        "序号",
        "示范带点位",
        "点位类型",
        "当前星级",
        "创建目标",
        "活动场所情况",
        "负责人",
        "完成时间",
        "主要措施",
        "联系领导",
        "工作进展",
        "说明",
    ],
    [
        "编号",
        "村（社区）名称",
        "是否示范点",
        "现星级",
        "目标星级",
        "场所是否达标",
        "第一责任人",
        "计划完成时间",
        "具体措施",
        "指导员",
        "进展",
        "备注",
    ],
];

const PEOPLE: [&str; 12] = [
    "王建华",
    "李红梅",
    "张伟民",
    "刘晓燕",
    "陈立新",
    "杨志勇",
    "黄丽萍",
    "赵卫东",
    "周小平",
    "吴建平",
    "徐晓明",
    "孙红英",
];
const MEASURES: [&str; 6] = [
    "规范“三会一课”，建立党员联系农户制度",
    "改造提升村级活动场所，建设党员活动室",
    "推行党员设岗定责，带领村民发展特色产业",
    "打造红色文化长廊，开展主题党日活动",
    "建设社区党员服务中心，开展邻里互助",
    "开展美丽乡村建设，整治村容村貌",
];
const PROGRESS: [&str; 5] = ["按计划推进", "已完成70%", "正在完善台账", "已组织党员开展活动", "场所改造已开工"];

/// One data row: the name as written and what it truly names.
struct Row {
    name: String,
    noise: &'static str,
    code: Option<String>,
    demo: bool,
    star: u8,
}

/// The noise model: the share of each kind of name variant among the rows (percent).
fn rows_of(
    u: usize,
    units: &[Unit],
    orgs: &[Org],
    rows: usize,
    rng: &mut Lcg,
    pool: &[char],
    by_sound: &BTreeMap<&str, Vec<char>>,
) -> Vec<Row> {
    let unit = &units[u];
    let taken: HashSet<String> = unit.orgs.iter().map(|&i| orgs[i].core.clone()).collect();
    // A random choice of the unit's organisations, in random order.
    let mut mine = unit.orgs.clone();
    for i in (1..mine.len()).rev() {
        mine.swap(i, rng.below(i + 1));
    }
    let mut out: Vec<Row> = Vec::with_capacity(rows);
    for &oi in mine.iter().take(rows) {
        let o = &orgs[oi];
        let roll = rng.below(100);
        let code = Some(o.code.clone());
        let (name, noise, code) = match roll {
            0..68 => (o.name(), "exact", code),
            68..72 => (format!("中共{}{}", unit.name, o.name()), "prefix", code),
            72..76 => (o.place(), "no_suffix", code),
            76..82 => {
                // One character of the core replaced by a homophone that makes no other
                // organisation of the unit.
                let chars: Vec<char> = o.core.chars().collect();
                let i = rng.below(chars.len());
                let sound = Prepared::new(&chars[i].to_string()).readings.first().and_then(|r| r.first()).copied();
                let alt = sound.and_then(|s| by_sound.get(s)).map(|cs| *rng.pick(cs)).filter(|c| *c != chars[i]);
                match alt {
                    Some(c) => {
                        let mut typo = chars.clone();
                        typo[i] = c;
                        let core: String = typo.iter().collect();
                        if taken.contains(&core) {
                            (o.name(), "exact", code)
                        } else {
                            (format!("{core}{}", o.kind), "homophone", code)
                        }
                    }
                    None => (o.name(), "exact", code),
                }
            }
            82..85 => (format!("{}（示范点）", o.name()), "annotation", code),
            85..88 => match &o.alias {
                Some(a) => (a.clone(), "alias", code),
                None => (format!("{} {}", o.place(), o.party), "spacing", code),
            },
            88..91 => {
                // An abbreviation: the first character dropped (a position word, often).
                let short: String = o.core.chars().skip(1).collect();
                if short.chars().count() >= 2 && !taken.contains(&short) {
                    (format!("{short}{}", o.kind), "abbreviation", code)
                } else {
                    (o.name(), "exact", code)
                }
            }
            91..95 => {
                // A new organisation: an enterprise not yet on the master list.
                let trade = ["农业开发", "电子商务", "建材", "服饰", "物流", "食品"];
                let core: String = (0..2).map(|_| *rng.pick(pool)).collect();
                (format!("{core}{}有限公司党支部", rng.pick(&trade)), "new", None)
            }
            95..97 if !out.is_empty() => {
                let prev = &out[rng.below(out.len())];
                (prev.name.clone(), "duplicate", prev.code.clone())
            }
            97..98 => {
                let other = &units[(u + 1 + rng.below(units.len().saturating_sub(1).max(1))) % units.len()];
                let oo = &orgs[*rng.pick(&other.orgs)];
                if taken.contains(&oo.core) {
                    (o.name(), "exact", code)
                } else {
                    (oo.name(), "cross_unit", Some(oo.code.clone()))
                }
            }
            _ => (o.name(), "exact", code),
        };
        let star = if rng.chance(80) { o.star } else { 1 + rng.below(5) as u8 };
        out.push(Row { name, noise, code, demo: rng.chance(15), star });
    }
    out
}

fn write_return(dir: &Path, unit: &Unit, rows: &[Row], rng: &mut Lcg) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("示范带点位")?;
    let title = Format::new().set_bold().set_font_size(16);
    let head = Format::new().set_bold().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let headers = HEADERS[rng.below(HEADERS.len())];
    let star_words = ["一星级", "二星级", "三星级", "四星级", "五星级"];
    let text_stars = rng.chance(30);
    ws.write_with_format(0, 0, format!("{}党建示范带创建情况月报表（2026年10月）", unit.name), &title)?;
    ws.write(1, 0, format!("填报单位：{}\u{3000}\u{3000}填报日期：2026年10月28日", unit.name))?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_with_format(2, c as u16, *h, &head)?;
    }
    let mut r = 3u32;
    for (i, row) in rows.iter().enumerate() {
        ws.write(r, 0, (i + 1) as f64)?;
        ws.write(r, 1, row.name.as_str())?;
        ws.write(r, 2, if row.demo { "是" } else { "否" })?;
        if rng.chance(1) {
            ws.write(r, 3, "待定")?;
        } else if text_stars {
            ws.write(r, 3, star_words[usize::from(row.star - 1)])?;
        } else {
            ws.write(r, 3, f64::from(row.star))?;
        }
        ws.write(r, 4, f64::from((row.star + 1).min(5)))?;
        ws.write(r, 5, if rng.chance(90) { "达标" } else { "不达标" })?;
        ws.write(r, 6, *rng.pick(&PEOPLE))?;
        let month = 10 + rng.below(3) as u8;
        let day = [31, 30, 31][usize::from(month - 10)];
        ws.write_datetime_with_format(r, 7, ExcelDateTime::from_ymd(2026, month, day)?, &date)?;
        ws.write(r, 8, *rng.pick(&MEASURES))?;
        if row.demo && rng.chance(95) {
            ws.write(r, 9, *rng.pick(&PEOPLE))?;
        }
        ws.write(r, 10, *rng.pick(&PROGRESS))?;
        r += 1;
    }
    ws.write(r, 0, "合计")?;
    ws.write(r, 1, format!("{}个", rows.len()))?;
    ws.write(r + 2, 0, "填表人：王建华\u{3000}\u{3000}审核人：李红梅")?;
    ws.set_column_width(1, 24)?;
    ws.set_column_width(8, 40)?;
    wb.save(dir.join(format!("{}.xlsx", unit.name)))
}

fn write_master(path: &Path, units: &[Unit], orgs: &[Org]) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("名册")?;
    for (c, h) in ["单位", "组织名称", "组织编码", "组织类别", "别名", "现星级"].iter().enumerate() {
        ws.write(0, c as u16, *h)?;
    }
    for (i, o) in orgs.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write(r, 0, units[o.unit].name.as_str())?;
        ws.write(r, 1, o.name())?;
        ws.write(r, 2, o.code.as_str())?;
        ws.write(r, 3, o.kind)?;
        if let Some(a) = &o.alias {
            ws.write(r, 4, a.as_str())?;
        }
        ws.write(r, 5, f64::from(o.star))?;
    }
    wb.save(path)
}

fn config(units: &[Unit], rows: usize, orgs: usize) -> String {
    let mut s = String::from(
        "# 基准测试用的省级工作区（bench/gen_province.rs 生成）\n\
         title = \"党建示范带创建\"\norganiser = \"浙江省\"\nmaster = \"名册.xlsx\"\noutput = \"输出\"\n\
         campaign_deadline = 2026-12-31\n\n[limits]\nmax_file_mb = 1000\nmax_unzipped_mb = 4096\n",
    );
    // The master list is one sheet of 6 columns: let it through the cell limit.
    let _ = writeln!(s, "max_cells_per_sheet = {}", (units.len() * orgs * 8).max(2_000_000));
    let points = rows * 9 / 10;
    for u in units {
        let _ = write!(
            s,
            "\n[[units]]\nname = \"{}\"\naliases = [\"{}\"]\npoints = {}\ndemo = {}\n",
            u.name,
            u.alias,
            points,
            rows / 8
        );
    }
    s
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let (pool, by_sound) = place_chars();
    let mut rng = Lcg::new(args.seed, 0);
    let mut units = units(args.units, &mut rng, &pool);
    let orgs = master(&mut units, args.orgs, &mut rng, &pool);
    let returns = args.out.join("returns").join(PERIOD);
    if let Err(e) = std::fs::create_dir_all(&returns) {
        eprintln!("cannot create {}: {e}", returns.display());
        std::process::exit(1);
    }
    let per_unit: Vec<Vec<Row>> = (0..units.len())
        .into_par_iter()
        .map(|u| {
            let mut rng = Lcg::new(args.seed, 1 + u as u64);
            let rows = rows_of(u, &units, &orgs, args.rows, &mut rng, &pool, &by_sound);
            if let Err(e) = write_return(&returns, &units[u], &rows, &mut rng) {
                eprintln!("cannot write the return of {}: {e}", units[u].name);
                std::process::exit(1);
            }
            rows
        })
        .collect();
    if let Err(e) = write_master(&args.out.join("名册.xlsx"), &units, &orgs) {
        eprintln!("cannot write the master list: {e}");
        std::process::exit(1);
    }
    let mut truth = String::from("unit,row,noise,code,name\n");
    for (u, rows) in per_unit.iter().enumerate() {
        for (i, r) in rows.iter().enumerate() {
            let _ = writeln!(
                truth,
                "{},{},{},{},{}",
                units[u].name,
                i + 4,
                r.noise,
                r.code.as_deref().unwrap_or(""),
                r.name
            );
        }
    }
    let written = std::fs::write(args.out.join("huizong.toml"), config(&units, args.rows, args.orgs))
        .and_then(|_| std::fs::write(args.out.join("truth.csv"), truth));
    if let Err(e) = written {
        eprintln!("cannot write {}: {e}", args.out.display());
        std::process::exit(1);
    }
    let records: usize = per_unit.iter().map(Vec::len).sum();
    println!("{} units, {} organisations, {} records in {}", units.len(), orgs.len(), records, args.out.display());
}
