//! The workspace configuration `huizong.toml` (SPEC §3.0): loaded once, validated, and
//! turned into a [`Config`] with resolved paths before any workbook is opened. Errors name
//! the key and the line, in Chinese.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::values::Date;

/// The default configuration, written by `huizong init` and used by `check` outside a
/// workspace.
pub const DEFAULT_TOML: &str = include_str!("../templates/huizong.toml");
pub const CONFIG_FILE: &str = "huizong.toml";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("无法读取配置文件 {path}：{source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("配置文件 {path} 第{line}行：{message}")]
    Invalid { path: PathBuf, line: usize, message: String },
    #[error("配置文件 {path}：{message}")]
    Other { path: PathBuf, message: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub min_star_point: u8,
    pub min_star_demo: u8,
    pub venue_kinds: Vec<String>,
    pub require_contact_leader: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    pub accept: f64,
    pub review: f64,
    pub lead: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub max_file_mb: u64,
    pub max_cells_per_sheet: u64,
    pub max_unzipped_mb: u64,
    pub max_zip_ratio: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub name: String,
    /// Explicit aliases plus the name without 乡/镇/街道.
    pub aliases: Vec<String>,
    pub points: Option<u32>,
    pub demo: u32,
}

impl Unit {
    /// Whether `text` names this unit: its full name or an alias.
    pub fn is_named(&self, text: &str) -> bool {
        self.name == text || self.aliases.iter().any(|a| a == text)
    }
}

/// A checked configuration with paths resolved against the folder that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file it was loaded from (`None` for the embedded defaults).
    pub path: Option<PathBuf>,
    pub dir: PathBuf,
    pub title: String,
    pub organiser: String,
    pub master: Option<PathBuf>,
    pub output: PathBuf,
    pub campaign_deadline: Date,
    pub rules: Rules,
    pub matching: Matching,
    pub limits: Limits,
    pub units: Vec<Unit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    organiser: Option<String>,
    master: Option<String>,
    output: Option<String>,
    campaign_deadline: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    matching: RawMatching,
    #[serde(default)]
    limits: RawLimits,
    units: Vec<Spanned<RawUnit>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    min_star_point: Option<Spanned<i64>>,
    min_star_demo: Option<Spanned<i64>>,
    venue_kinds: Option<Vec<String>>,
    require_contact_leader: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMatching {
    accept: Option<Spanned<f64>>,
    review: Option<Spanned<f64>>,
    lead: Option<Spanned<f64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_file_mb: Option<Spanned<i64>>,
    max_cells_per_sheet: Option<Spanned<i64>>,
    max_unzipped_mb: Option<Spanned<i64>>,
    max_zip_ratio: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    name: Option<Spanned<String>>,
    #[serde(default)]
    aliases: Vec<String>,
    points: Option<Spanned<i64>>,
    demo: Option<Spanned<i64>>,
}

impl Config {
    /// Loads and validates `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
        Config::parse(&text, path, &dir)
    }

    /// The embedded defaults, rooted at `dir`, without a master list.
    pub fn defaults(dir: &Path) -> Config {
        let mut c =
            Config::parse(DEFAULT_TOML, Path::new(CONFIG_FILE), dir).expect("bug: embedded huizong.toml is invalid");
        c.path = None;
        c.master = None;
        c
    }

    /// Parses configuration text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path, dir: &Path) -> Result<Config, ConfigError> {
        let invalid = |span: std::ops::Range<usize>, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, span.start),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            ConfigError::Invalid { path: path.to_path_buf(), line, message: translate_toml_error(e.message()) }
        })?;

        let star = |v: &Option<Spanned<i64>>, key: &str, default: u8| -> Result<u8, ConfigError> {
            match v {
                None => Ok(default),
                Some(s) if (1..=5).contains(s.get_ref()) => Ok(*s.get_ref() as u8),
                Some(s) => Err(invalid(s.span(), format!("{key} = {} 超出范围，星级应为1至5的整数", s.get_ref()))),
            }
        };
        let rules = Rules {
            min_star_point: star(&raw.rules.min_star_point, "rules.min_star_point", 3)?,
            min_star_demo: star(&raw.rules.min_star_demo, "rules.min_star_demo", 4)?,
            venue_kinds: raw.rules.venue_kinds.unwrap_or_else(|| vec!["村".to_string(), "社区".to_string()]),
            require_contact_leader: raw.rules.require_contact_leader.unwrap_or(true),
        };

        let unit_interval = |v: &Option<Spanned<f64>>, key: &str, default: f64| -> Result<f64, ConfigError> {
            match v {
                None => Ok(default),
                Some(s) if (0.0..=1.0).contains(s.get_ref()) => Ok(*s.get_ref()),
                Some(s) => Err(invalid(s.span(), format!("{key} = {} 超出范围，应在0到1之间", s.get_ref()))),
            }
        };
        let matching = Matching {
            accept: unit_interval(&raw.matching.accept, "matching.accept", 0.92)?,
            review: unit_interval(&raw.matching.review, "matching.review", 0.75)?,
            lead: unit_interval(&raw.matching.lead, "matching.lead", 0.05)?,
        };
        if matching.review > matching.accept {
            let span = raw.matching.review.as_ref().map_or(0..0, Spanned::span);
            return Err(invalid(
                span,
                format!(
                    "matching.review = {} 大于 matching.accept = {}，待核实下限不能高于自动匹配线",
                    matching.review, matching.accept
                ),
            ));
        }

        let positive = |v: &Option<Spanned<i64>>, key: &str, default: u64| -> Result<u64, ConfigError> {
            match v {
                None => Ok(default),
                Some(s) if *s.get_ref() > 0 => Ok(*s.get_ref() as u64),
                Some(s) => Err(invalid(s.span(), format!("{key} = {} 超出范围，应为正整数", s.get_ref()))),
            }
        };
        let limits = Limits {
            max_file_mb: positive(&raw.limits.max_file_mb, "limits.max_file_mb", 100)?,
            max_cells_per_sheet: positive(&raw.limits.max_cells_per_sheet, "limits.max_cells_per_sheet", 1_000_000)?,
            max_unzipped_mb: positive(&raw.limits.max_unzipped_mb, "limits.max_unzipped_mb", 1024)?,
            max_zip_ratio: positive(&raw.limits.max_zip_ratio, "limits.max_zip_ratio", 200)?,
        };

        let campaign_deadline = match &raw.campaign_deadline {
            None => Date::new(2015, 12, 31).expect("bug: default deadline"),
            Some(s) => {
                let d = s
                    .get_ref()
                    .date
                    .ok_or_else(|| invalid(s.span(), "campaign_deadline 应为日期，如 2015-12-31".to_string()))?;
                Date::new(i32::from(d.year), d.month, d.day)
                    .ok_or_else(|| invalid(s.span(), "campaign_deadline 不是有效日期".to_string()))?
            }
        };

        if raw.units.is_empty() {
            return Err(ConfigError::Other {
                path: path.to_path_buf(),
                message: "没有配置任何单位：请添加 [[units]]".to_string(),
            });
        }
        let mut units: Vec<Unit> = Vec::new();
        for spanned in &raw.units {
            let u = spanned.get_ref();
            let name = match &u.name {
                Some(n) if !n.get_ref().trim().is_empty() => n.get_ref().trim().to_string(),
                Some(n) => return Err(invalid(n.span(), "units.name 为空：每个单位都要有名称".to_string())),
                None => return Err(invalid(spanned.span(), "[[units]] 缺少 name：每个单位都要有名称".to_string())),
            };
            let count = |v: &Option<Spanned<i64>>, key: &str| -> Result<Option<u32>, ConfigError> {
                match v {
                    None => Ok(None),
                    Some(s) => u32::try_from(*s.get_ref()).map(Some).map_err(|_| {
                        invalid(s.span(), format!("{name} 的 {key} = {} 超出范围，应为非负整数", s.get_ref()))
                    }),
                }
            };
            let points = count(&u.points, "points")?;
            let demo = count(&u.demo, "demo")?
                .ok_or_else(|| invalid(spanned.span(), format!("单位\u{201C}{name}\u{201D}缺少 demo（示范点数）")))?;
            if units.iter().any(|x| x.name == name) {
                let span = u.name.as_ref().map_or(spanned.span(), Spanned::span);
                return Err(invalid(span, format!("单位\u{201C}{name}\u{201D}重复配置")));
            }
            let mut aliases: Vec<String> =
                u.aliases.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
            if let Some(short) = short_name(&name)
                && !aliases.contains(&short)
            {
                aliases.push(short);
            }
            units.push(Unit { name, aliases, points, demo });
        }
        // Which units each word (name or alias) names, to find an alias shared with a later
        // unit without comparing every pair of units (a province has thousands).
        let mut naming: crate::HashMap<&str, Vec<usize>> = crate::HashMap::default();
        for (j, u) in units.iter().enumerate() {
            for w in std::iter::once(&u.name).chain(&u.aliases) {
                naming.entry(w.as_str()).or_default().push(j);
            }
        }
        for (i, a) in units.iter().enumerate() {
            let later = |x: &String| naming.get(x.as_str()).into_iter().flatten().find(|j| **j > i).copied();
            if let Some((alias, j)) = a.aliases.iter().find_map(|x| later(x).map(|j| (x, j)))
                && let Some(b) = units.get(j)
            {
                return Err(ConfigError::Other {
                    path: path.to_path_buf(),
                    message: format!(
                        "别名\u{201C}{alias}\u{201D}同时属于\u{201C}{}\u{201D}和\u{201C}{}\u{201D}，请删去其中一个",
                        a.name, b.name
                    ),
                });
            }
        }

        Ok(Config {
            path: Some(path.to_path_buf()),
            dir: dir.to_path_buf(),
            title: raw.title.unwrap_or_else(|| "党建示范带创建".to_string()),
            organiser: raw.organiser.unwrap_or_default(),
            master: raw.master.filter(|m| !m.trim().is_empty()).map(|m| dir.join(m)),
            output: dir.join(raw.output.unwrap_or_else(|| "输出".to_string())),
            campaign_deadline,
            rules,
            matching,
            limits,
            units,
        })
    }

    pub fn unit(&self, name: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.name == name)
    }

    /// Finds the configuration for a command given `start` (a period folder or the current
    /// folder): `huizong.toml` there or in the nearest parent.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let start = std::path::absolute(start).ok()?;
        start.ancestors().map(|d| d.join(CONFIG_FILE)).find(|p| p.is_file())
    }
}

/// The unit name without its 乡/镇/街道 suffix, when that leaves at least two characters.
pub fn short_name(name: &str) -> Option<String> {
    ["街道", "乡", "镇"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .filter(|rest| rest.chars().count() >= 2)
        .map(str::to_string)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len())).map_or(1, |t| t.matches('\n').count() + 1)
}

/// Turns the toml crate's English messages into Chinese for the common cases.
fn translate_toml_error(message: &str) -> String {
    let quoted = |m: &str| m.split('`').nth(1).unwrap_or("").to_string();
    if message.starts_with("unknown field") {
        format!("未知的配置项\u{201C}{}\u{201D}，请检查拼写（可用 huizong init 生成标准配置对照）", quoted(message))
    } else if message.starts_with("missing field") {
        format!("缺少必填项\u{201C}{}\u{201D}", quoted(message))
    } else if message.starts_with("invalid type") {
        format!("配置项的值类型不对（{}）", message.trim())
    } else if message.contains("duplicate key") {
        format!("配置项重复（{}）", message.trim())
    } else {
        format!("格式有误（{}），请对照 huizong init 生成的配置修改", message.trim())
    }
}

/// Writes a new workspace: `huizong.toml` with the defaults and the folders a month needs.
/// The empty master-list template is written by the report stage.
pub fn init_config(dir: &Path) -> Result<PathBuf, ConfigError> {
    let path = dir.join(CONFIG_FILE);
    if path.exists() {
        return Err(ConfigError::Other {
            path, message: "已存在，未覆盖。如需重新生成，请先移走原文件".to_string()
        });
    }
    let io = |source| ConfigError::Read { path: path.clone(), source };
    std::fs::create_dir_all(dir.join("returns")).map_err(io)?;
    std::fs::write(&path, DEFAULT_TOML).map_err(io)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Config, ConfigError, DEFAULT_TOML, short_name};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("huizong.toml"), Path::new("/ws"))
    }

    #[test]
    fn defaults_reproduce_the_2015_notice() {
        let c = parse(DEFAULT_TOML).expect("defaults parse");
        let table: Vec<(&str, Option<u32>, u32)> =
            c.units.iter().map(|u| (u.name.as_str(), u.points, u.demo)).collect();
        assert_eq!(
            table,
            vec![
                ("苏孟乡", Some(10), 3),
                ("秋滨街道", Some(10), 3),
                ("三江街道", Some(10), 3),
                ("西关街道", Some(7), 3),
                ("江南街道", Some(7), 3),
                ("汤溪镇", Some(15), 5),
                ("罗埠镇", Some(15), 5),
                ("洋埠镇", Some(10), 3),
                ("网络经济产业党委", None, 8),
                ("商会党委", None, 4),
            ]
        );
        assert_eq!(c.units.iter().filter_map(|u| u.points).sum::<u32>(), 84);
        assert_eq!(c.units.iter().map(|u| u.demo).sum::<u32>(), 40);
        assert_eq!(c.rules.min_star_point, 3);
        assert_eq!(c.rules.min_star_demo, 4);
        assert_eq!(c.campaign_deadline.to_string(), "2015-12-31");
        assert_eq!(c.master.as_deref(), Some(Path::new("/ws/名册.xlsx")));
        assert_eq!(c.output, Path::new("/ws/输出"));
        assert_eq!(c.organiser, "金华经济技术开发区");
    }

    #[test]
    fn short_names_are_aliases() {
        let c = parse(DEFAULT_TOML).expect("defaults parse");
        assert!(c.unit("汤溪镇").expect("unit").is_named("汤溪"));
        assert!(c.unit("网络经济产业党委").expect("unit").is_named("网络经济"));
        assert_eq!(short_name("秋滨街道").as_deref(), Some("秋滨"));
        assert_eq!(short_name("商会党委"), None);
    }

    fn invalid(text: &str) -> (usize, String) {
        match parse(text) {
            Err(ConfigError::Invalid { line, message, .. }) => (line, message),
            other => panic!("expected an invalid-config error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let (line, msg) = invalid("title = \"x\"\ntitel = \"y\"\n[[units]]\nname = \"苏孟乡\"\ndemo = 3\n");
        assert_eq!(line, 2);
        assert!(msg.contains("titel"), "{msg}");
    }

    #[test]
    fn threshold_out_of_range_names_key_and_line() {
        let (line, msg) = invalid("[matching]\naccept = 1.5\n[[units]]\nname = \"苏孟乡\"\ndemo = 3\n");
        assert_eq!(line, 2);
        assert!(msg.contains("matching.accept"), "{msg}");
        let (line, msg) = invalid("[rules]\nmin_star_demo = 7\n[[units]]\nname = \"苏孟乡\"\ndemo = 3\n");
        assert_eq!(line, 2);
        assert!(msg.contains("min_star_demo"), "{msg}");
    }

    #[test]
    fn unit_without_name_names_the_line() {
        let (line, msg) = invalid("title = \"x\"\n\n[[units]]\ndemo = 3\n");
        assert!(line >= 3, "line {line}");
        assert!(msg.contains("name"), "{msg}");
    }

    #[test]
    fn missing_units_is_an_error() {
        assert!(parse("title = \"x\"\n").is_err());
    }

    #[test]
    fn an_alias_naming_another_unit_is_an_error_naming_both() {
        let text = "[[units]]\nname = \"汤溪镇\"\naliases = [\"罗埠\"]\ndemo = 1\n\
                    [[units]]\nname = \"罗埠镇\"\ndemo = 1\n";
        match parse(text) {
            Err(ConfigError::Other { message, .. }) => {
                assert!(
                    message.contains("别名\u{201C}罗埠\u{201D}同时属于\u{201C}汤溪镇\u{201D}和\u{201C}罗埠镇\u{201D}"),
                    "{message}"
                );
            }
            other => panic!("expected the shared alias to be refused, got {other:?}"),
        }
        // An alias of a later unit shared with an earlier one is found too.
        let text =
            "[[units]]\nname = \"汤溪镇\"\ndemo = 1\n[[units]]\nname = \"罗埠镇\"\naliases = [\"汤溪\"]\ndemo = 1\n";
        assert!(matches!(parse(text), Err(ConfigError::Other { .. })), "{:?}", parse(text));
    }
}
