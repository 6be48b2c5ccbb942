//! Fillable return templates (SPEC §7, `huizong template`): one workbook per unit with the
//! unit filled in, the header row of `templates/return_fields.toml`, drop-downs (the unit's
//! organisations from the master list, star levels, 是/否, venue status, acceptance), date
//! validation, a 填表说明 sheet, and — when last period's report exists — last period's rows
//! pre-filled. The template's own sheets start with the marker the reader skips silently.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use crate::config::Config;
use crate::history::PreviousRecord;
use crate::layout::{FieldKey, FieldKind, Layout, TEMPLATE_AUX_MARKER};
use crate::master::Org;
use crate::period::Period;

/// Empty rows offered below the pre-filled ones.
const SPARE_ROWS: u32 = 10;
const HEADER_ROW: u32 = 2;
const OPTIONS_SHEET: &str = "选项";

/// The fields a template asks for, in order (the unit is on the 填报单位 line instead).
fn template_fields(layout: &Layout) -> Vec<(FieldKey, String, FieldKind)> {
    layout.fields.iter().filter(|f| f.key != FieldKey::Unit).map(|f| (f.key, f.label.clone(), f.kind)).collect()
}

pub fn file_name(unit: &str, period: Period) -> String {
    format!("填报模板_{unit}_{period}.xlsx")
}

fn yes_no(v: Option<bool>) -> Option<String> {
    v.map(|b| if b { "是" } else { "否" }.to_string())
}

/// The value a pre-filled cell gets for a field.
enum Value {
    Text(String),
    Number(f64),
    Date(ExcelDateTime),
}

fn prefill(key: FieldKey, r: &PreviousRecord, seq: usize) -> Option<Value> {
    let five = |k: &str| r.five_have.as_ref().and_then(|m| m.get(k).copied().flatten());
    let text = |s: &Option<String>| s.clone().map(Value::Text);
    match key {
        FieldKey::Seq => Some(Value::Number(seq as f64)),
        FieldKey::Name => r.state.org.as_ref().map(|o| Value::Text(o.name.clone())),
        FieldKey::Unit => None,
        FieldKey::Demo => yes_no(Some(r.state.demo)).map(Value::Text),
        FieldKey::Star => r.state.star.map(|s| Value::Number(f64::from(s))),
        FieldKey::TargetStar => r.target_star.map(|s| Value::Number(f64::from(s))),
        FieldKey::Venue => text(&r.state.venue),
        FieldKey::Responsible => text(&r.responsible),
        FieldKey::Deadline => {
            r.deadline.as_deref().and_then(|d| ExcelDateTime::parse_from_str(d).ok()).map(Value::Date)
        }
        FieldKey::Measures => text(&r.measures),
        FieldKey::ContactLeader => text(&r.contact_leader),
        FieldKey::FiveTeam => yes_no(five("队伍")).map(Value::Text),
        FieldKey::FiveSystem => yes_no(five("制度")).map(Value::Text),
        FieldKey::FiveCarrier => yes_no(five("载体")).map(Value::Text),
        FieldKey::FivePosition => yes_no(five("阵地")).map(Value::Text),
        FieldKey::FiveCulture => yes_no(five("文化")).map(Value::Text),
        FieldKey::Acceptance => text(&r.acceptance),
        FieldKey::Progress => text(&r.progress),
        FieldKey::Remarks => text(&r.remarks),
    }
}

fn list(items: &[&str], title: &str) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_list_strings(items)?
        .set_error_style(DataValidationErrorStyle::Warning)
        .set_error_title(title)?
        .set_error_message(format!("请从下拉列表中选择：{}", items.join("、")))
}

/// The validation of a field's column, if it has one.
fn validation(key: FieldKey, kind: FieldKind, org_count: usize) -> Result<Option<DataValidation>, XlsxError> {
    Ok(match kind {
        _ if key == FieldKey::Name && org_count > 0 => Some(
            DataValidation::new()
                .allow_list_formula(Formula::new(format!("='{OPTIONS_SHEET}'!$A$2:$A${}", org_count + 1)))
                // A new organisation may still be typed in: warn, do not block.
                .set_error_style(DataValidationErrorStyle::Information)
                .set_error_title("名称不在名册中")?
                .set_error_message("此名称不在本单位名册中。如为新建组织，请在备注中说明。")?,
        ),
        FieldKind::Star => Some(list(&["1", "2", "3", "4", "5"], "星级")?),
        FieldKind::Demo | FieldKind::YesNo => Some(list(&["是", "否"], "是或否")?),
        FieldKind::Venue => Some(list(&["达标", "不达标", "无"], "活动场所")?),
        FieldKind::Acceptance => Some(list(&["通过", "未通过", "未验收"], "验收结果")?),
        FieldKind::Date => {
            let (from, to) = (ExcelDateTime::from_ymd(2000, 1, 1)?, ExcelDateTime::from_ymd(2099, 12, 31)?);
            Some(
                DataValidation::new()
                    .allow_date(DataValidationRule::Between(from, to))
                    .set_error_style(DataValidationErrorStyle::Warning)
                    .set_error_title("完成时限")?
                    .set_error_message("请填写日期，如 2015-12-31")?,
            )
        }
        FieldKind::Ignore | FieldKind::Text | FieldKind::Unit | FieldKind::Person => None,
    })
}

/// A unit's template as bytes. `previous` holds last period's valid records of the unit.
pub fn template_bytes(
    config: &Config,
    layout: &Layout,
    orgs: &[Org],
    unit: &str,
    period: Period,
    previous: &[&PreviousRecord],
) -> Result<Vec<u8>, XlsxError> {
    let fields = template_fields(layout);
    let unit_orgs: Vec<&str> = orgs.iter().filter(|o| o.unit == unit).map(|o| o.name.as_str()).collect();
    let mut wb = Workbook::new();
    let last_day = period.last_day();
    let date = ExcelDateTime::from_ymd(last_day.year as u16, last_day.month, last_day.day)?;
    wb.set_properties(
        &DocProperties::new().set_title(format!("{unit}填报模板")).set_author("huizong").set_creation_datetime(&date),
    );

    let font = |f: Format| f.set_font_name("宋体").set_font_size(11);
    let title_fmt = Format::new().set_font_name("黑体").set_font_size(16).set_bold().set_align(FormatAlign::Center);
    let header_fmt = font(Format::new())
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("D9D9D9")
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let cell_fmt = font(Format::new()).set_border(FormatBorder::Thin).set_text_wrap();
    let date_fmt = cell_fmt.clone().set_num_format("yyyy-mm-dd");

    let ws = wb.add_worksheet();
    ws.set_name(period.chinese())?;
    let last_col = (fields.len().saturating_sub(1)) as u16;
    ws.merge_range(
        0,
        0,
        0,
        last_col,
        &format!("{unit}{}情况月报表（{}）", config.title, period.chinese()),
        &title_fmt,
    )?;
    ws.merge_range(1, 0, 1, last_col, &format!("填报单位：{unit}　　填报日期："), &font(Format::new()))?;
    for (c, (_, label, _)) in fields.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, label, &header_fmt)?;
        let width = label.chars().map(|ch| if ch.is_ascii() { 1.2 } else { 2.2 }).sum::<f64>() + 2.0;
        let width = match fields.get(c).map(|f| f.0) {
            Some(FieldKey::Name) => 26.0,
            Some(FieldKey::Measures) | Some(FieldKey::Progress) => 30.0,
            Some(FieldKey::Deadline) => 12.0,
            _ => width.max(8.0),
        };
        ws.set_column_width(c as u16, width)?;
    }
    let data_rows = previous.len() as u32 + SPARE_ROWS;
    for (i, r) in previous.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        for (c, (key, _, _)) in fields.iter().enumerate() {
            match prefill(*key, r, i + 1) {
                Some(Value::Text(t)) => super::write_text(ws, (row, c as u16), &t, Some(&cell_fmt), &cell_fmt)?,
                Some(Value::Number(n)) => {
                    ws.write_number_with_format(row, c as u16, n, &cell_fmt)?;
                }
                Some(Value::Date(d)) => {
                    ws.write_datetime_with_format(row, c as u16, &d, &date_fmt)?;
                }
                None => {
                    ws.write_blank(row, c as u16, &cell_fmt)?;
                }
            }
        }
    }
    for row in HEADER_ROW + 1 + previous.len() as u32..HEADER_ROW + 1 + data_rows {
        for c in 0..fields.len() {
            ws.write_blank(row, c as u16, &cell_fmt)?;
        }
    }
    let (first, last) = (HEADER_ROW + 1, HEADER_ROW + data_rows + 200);
    for (c, (key, _, kind)) in fields.iter().enumerate() {
        if let Some(v) = validation(*key, *kind, unit_orgs.len())? {
            ws.add_data_validation(first, c as u16, last, c as u16, &v)?;
        }
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, HEADER_ROW)?;

    instructions(wb.add_worksheet(), unit, period, &font(Format::new()).set_text_wrap())?;

    let options = wb.add_worksheet();
    options.set_name(OPTIONS_SHEET)?;
    options.write_string(0, 0, format!("{TEMPLATE_AUX_MARKER}：{unit}名册中的组织，供下拉选择"))?;
    for (i, name) in unit_orgs.iter().enumerate() {
        super::write_text(options, (1 + i as u32, 0), name, None, &Format::new())?;
    }
    options.set_hidden(true);
    wb.save_to_buffer()
}

fn instructions(ws: &mut Worksheet, unit: &str, period: Period, fmt: &Format) -> Result<(), XlsxError> {
    ws.set_name("填表说明")?;
    ws.set_column_width(0, 90)?;
    let lines = [
        format!("{TEMPLATE_AUX_MARKER}（填表说明页，汇总时自动跳过）"),
        format!("{unit} {} 党建示范带创建情况月报表 填表说明", period.chinese()),
        format!("1. 在“{}”工作表中逐行填写示范带上的每个点位，一个基层党组织一行；示范点也是点位。", period.chinese()),
        "2. 党组织名称请从下拉列表中选择（列表为本单位名册中的组织）；新建组织可直接输入，并在备注中说明。".to_string(),
        "3. 星级填1至5；示范带各点应达到三星级，示范点应达到四星级。".to_string(),
        "4. 是否示范点、五个有填“是”或“否”；活动场所填“达标”“不达标”或“无”。".to_string(),
        "5. “一点一策”的工作举措、责任人、完成时限都要填写；完成时限填日期，不晚于创建截止日期。".to_string(),
        "6. 每个示范点填写联系领导（班子成员）。".to_string(),
        "7. 上月已报的点位已预先填入，只需修改有变化的内容；不再列入示范带的点位请整行删除。".to_string(),
        "8. 请勿修改表头和本说明页；填好后另存为 .xlsx 报送。".to_string(),
    ];
    for (i, line) in lines.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, line, fmt)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::path::Path;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    use super::{OPTIONS_SHEET, template_bytes};
    use crate::config::Config;
    use crate::history::{OrgRef, PreviousRecord};
    use crate::layout::Layout;
    use crate::master::Org;
    use crate::period::Period;

    /// Names from last period's report and from the master list are written as they are, even
    /// one rust_xlsxwriter would take for rich text.
    #[test]
    fn names_that_look_like_rich_text_are_pre_filled_as_they_are() {
        let config = Config::defaults(Path::new("."));
        let unit = config.units[0].name.clone();
        let org = |name: &str| Org {
            unit: unit.clone(),
            name: name.to_string(),
            code: None,
            kind: "党支部".into(),
            aliases: Vec::new(),
            star: None,
            row: 2,
        };
        let orgs = [org("<r>名册</r>"), org("青湖村党支部")];
        let mut previous = PreviousRecord::default();
        previous.state.org = Some(OrgRef { code: None, name: "<r>上期</r>".into(), unit: unit.clone() });
        let period = Period::new(2015, 11).expect("period");
        let bytes = template_bytes(&config, &Layout::embedded(), &orgs, &unit, period, &[&previous]).expect("template");
        let mut xl: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("open");
        let texts = |xl: &mut Xlsx<_>, sheet: &str| -> Vec<String> {
            let range = xl.worksheet_range(sheet).expect("sheet");
            range
                .used_cells()
                .filter_map(|(_, _, c)| if let Data::String(s) = c { Some(s.clone()) } else { None })
                .collect()
        };
        assert!(texts(&mut xl, &period.chinese()).contains(&"<r>上期</r>".to_string()));
        assert!(texts(&mut xl, OPTIONS_SHEET).contains(&"<r>名册</r>".to_string()));
    }
}
