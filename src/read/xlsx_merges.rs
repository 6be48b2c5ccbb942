//! The merged ranges of an .xlsx worksheet, found by searching its XML for the
//! `mergeCells` element, which follows the cells. calamine's `merge_cells_by_sheet_name`
//! parses every cell of the sheet a second time to reach it: a fifth of the CPU of reading a
//! province's returns and master list. Only packages laid out the usual way are searched
//! here; for anything else (another workbook path, a sheet part under another name, a
//! comment or CDATA section in the sheet, a reference that is not plain `A1` or `A1:B2`)
//! the caller asks calamine, so the result is always calamine's. The same search tells
//! whether the sheet can hold a formula at all: most returns hold none, and their cells are
//! then read without calamine's formula bookkeeping.

use std::io::{Cursor, Read};

use memchr::memmem;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use crate::HashMap;
use crate::read::Merge;

/// The worksheet parts of an .xlsx package, by sheet name.
pub struct SheetParts<'b> {
    archive: ZipArchive<Cursor<&'b [u8]>>,
    paths: HashMap<String, String>,
}

impl<'b> SheetParts<'b> {
    /// `None` when the package is not laid out the usual way (`xl/workbook.xml` as the office
    /// document, its relationships beside it).
    pub fn new(bytes: &'b [u8]) -> Option<SheetParts<'b>> {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).ok()?;
        let root = part(&mut archive, "_rels/.rels")?;
        let mut office = None;
        elements(&root, |e| {
            if local(e) == "Relationship" && attr(e, "Type")?.ends_with("/officeDocument") {
                office = attr(e, "Target");
            }
            Some(())
        })?;
        if !matches!(office.as_deref(), Some("xl/workbook.xml" | "/xl/workbook.xml")) {
            return None;
        }
        let rels = part(&mut archive, "xl/_rels/workbook.xml.rels")?;
        let mut targets: HashMap<String, String> = HashMap::default();
        elements(&rels, |e| {
            if local(e) == "Relationship" {
                targets.insert(attr(e, "Id")?, attr(e, "Target")?);
            }
            Some(())
        })?;
        let workbook = part(&mut archive, "xl/workbook.xml")?;
        let mut paths: HashMap<String, String> = HashMap::default();
        elements(&workbook, |e| {
            if local(e) == "sheet" {
                let name = e
                    .try_get_attribute("name")
                    .ok()??
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()?
                    .into_owned();
                let id = e.attributes().flatten().find_map(|a| {
                    let key: &str = a.key.as_ref();
                    let is_id = key == "id" || key.strip_suffix("id").is_some_and(|p| p.ends_with(':'));
                    is_id.then(|| a.value.clone().into_owned())
                })?;
                let target = targets.get(&id)?;
                let path = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("xl/{target}"),
                };
                // The first sheet of a name is the one calamine reads.
                paths.entry(name).or_insert(path);
            }
            Some(())
        })?;
        Some(SheetParts { archive, paths })
    }

    /// The merged ranges of sheet `name` (`None` when calamine is to be asked), and whether
    /// it may hold formulas; `None` when the sheet's part is not found.
    pub fn scan(&mut self, name: &str) -> Option<Scanned> {
        let path = self.paths.get(name)?;
        let xml = part(&mut self.archive, path)?;
        Some(Scanned { merges: merges_in(&xml), may_have_formulas: may_have_formulas(&xml) })
    }
}

/// What the search of a sheet's XML found.
pub struct Scanned {
    pub merges: Option<Vec<Merge>>,
    /// False only when no element named `f` can be in the sheet: its cells are then read
    /// without calamine's formula bookkeeping.
    pub may_have_formulas: bool,
}

/// Whether a worksheet's XML may hold a formula element (`<f>`, `<f t="shared" …/>`,
/// `<x:f>`). Anything that merely looks like one (in text, a comment, a namespace
/// declaration) counts too: a wrong yes costs only time.
fn may_have_formulas(xml: &[u8]) -> bool {
    let name_char = |b: u8| b.is_ascii_alphanumeric() || b"_-.:".contains(&b) || b >= 0x80;
    memmem::find_iter(xml, b"<f")
        .chain(memmem::find_iter(xml, b":f"))
        .any(|at| xml.get(at + 2).is_none_or(|b| !name_char(*b)))
}

/// An entry of the package, inflated (the sizes were checked before: `check_zip`).
fn part(archive: &mut ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let mut entry = archive.by_name(name).ok()?;
    let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 28));
    entry.read_to_end(&mut out).ok()?;
    Some(out)
}

/// Calls `f` with every start or empty element of a small XML part; `None` when the part
/// does not parse or `f` gives up.
fn elements(xml: &[u8], mut f: impl FnMut(&BytesStart<'_>) -> Option<()>) -> Option<()> {
    let mut reader = Reader::from_reader(xml);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => f(&e)?,
            Event::Eof => return Some(()),
            _ => {}
        }
    }
}

fn local<'e>(e: &'e BytesStart<'_>) -> &'e str {
    e.local_name().into_inner()
}

/// A plain attribute's raw value (relationship ids and targets are read raw, as calamine
/// reads them).
fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    Some(e.try_get_attribute(key).ok()??.value.into_owned())
}

/// The merged ranges in a worksheet's XML: the `mergeCell` elements of its first
/// `mergeCells` element.
fn merges_in(xml: &[u8]) -> Option<Vec<Merge>> {
    // Markup quoted inside a comment or CDATA section would be found by the search below
    // but skipped by a parser.
    if memmem::find(xml, b"<!--").is_some() || memmem::find(xml, b"<![CDATA[").is_some() {
        return None;
    }
    // Text and attribute values cannot hold '<': "<mergeCells" or "<prefix:mergeCells" is
    // the element itself, any other "mergeCells" is text.
    let element = |at: usize| -> Option<usize> {
        let open = xml.get(..at)?.iter().rposition(|&b| b == b'<')?;
        let prefix = xml.get(open + 1..at)?;
        let plain = prefix.is_empty()
            || prefix.split_last().is_some_and(|(colon, name)| {
                *colon == b':'
                    && !name.is_empty()
                    && name.iter().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(b))
            });
        plain.then_some(open)
    };
    let Some(open) = memmem::find_iter(xml, b"mergeCells").find_map(element) else { return Some(Vec::new()) };
    let mut reader = Reader::from_reader(xml.get(open..)?);
    let mut out = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if local(&e) == "mergeCell" => {
                if let Some(r) = e.try_get_attribute("ref").ok()? {
                    out.push(range(&r.value)?);
                }
            }
            Event::End(e) if e.local_name().into_inner() == "mergeCells" => return Some(out),
            // `<mergeCells/>`, a broken sheet: calamine decides.
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// `A1:B2` or `A1`, 0-based; `None` for anything else.
fn range(r: &str) -> Option<Merge> {
    let (first, last) = match r.split_once(':') {
        Some((a, b)) => (cell(a)?, cell(b)?),
        None => cell(r).map(|c| (c, c))?,
    };
    Some(Merge { first_row: first.0, first_col: first.1, last_row: last.0, last_col: last.1 })
}

/// `B12` → (11, 1).
fn cell(a1: &str) -> Option<(u32, u32)> {
    let digits = a1.find(|c: char| c.is_ascii_digit())?;
    let (letters, number) = a1.split_at(digits);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) || number.len() > 7 {
        return None;
    }
    let col = letters.bytes().fold(0u32, |n, b| n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1);
    let row: u32 = number.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

#[cfg(test)]
mod tests {
    use super::{cell, may_have_formulas, merges_in};
    use crate::read::Merge;

    fn sheet(tail: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><worksheet xmlns=\"x\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">\
             <is><t>mergeCells 写在格子里</t></is></c></row></sheetData>{tail}</worksheet>"
        )
    }

    #[test]
    fn merged_ranges_are_read_from_the_element_after_the_cells() {
        let m = |r0, c0, r1, c1| Merge { first_row: r0, first_col: c0, last_row: r1, last_col: c1 };
        let xml = sheet("<mergeCells count=\"2\"><mergeCell ref=\"A1:F1\"/><mergeCell ref=\"b3:B12\"/></mergeCells>");
        assert_eq!(merges_in(xml.as_bytes()), Some(vec![m(0, 0, 0, 5), m(2, 1, 11, 1)]));
        let prefixed = sheet("<x:mergeCells><x:mergeCell ref=\"C2\"></x:mergeCell></x:mergeCells>");
        assert_eq!(merges_in(prefixed.as_bytes()), Some(vec![m(1, 2, 1, 2)]));
        // The text "mergeCells" in a cell is not the element.
        assert_eq!(merges_in(sheet("").as_bytes()), Some(Vec::new()));
    }

    #[test]
    fn anything_unusual_is_left_to_calamine() {
        for tail in [
            "<!-- <mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells> -->",
            "<mergeCells count=\"1\"><mergeCell ref=\"$A$1:B1\"/></mergeCells>",
            "<mergeCells count=\"1\"><mergeCell ref=\"A0:B1\"/></mergeCells>",
            "<mergeCells/>",
            "<mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/>",
        ] {
            assert_eq!(merges_in(sheet(tail).as_bytes()), None, "{tail}");
        }
        assert_eq!(cell("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell("1A"), None);
    }

    #[test]
    fn formulas_are_found_in_any_spelling_and_other_f_elements_are_not_formulas() {
        for xml in [
            "<c r=\"A1\"><f>SUM(B1:B2)</f></c>",
            "<c r=\"A2\"><f t=\"shared\" si=\"0\"/></c>",
            "<c r=\"A3\"><f\nt=\"array\">1</f></c>",
            "<x:c r=\"A1\"><x:f>1+1</x:f></x:c>",
            "<c r=\"A4\"><f/></c>",
            "<c><f",
        ] {
            assert!(may_have_formulas(sheet(xml).as_bytes()), "{xml}");
        }
        for xml in [
            "<autoFilter ref=\"A1:B2\"><filterColumn colId=\"0\"/></autoFilter>",
            "<headerFooter><firstHeader>f</firstHeader></headerFooter>",
            "<x:autoFilter><x:filterColumn colId=\"0\"/></x:autoFilter>",
            "<dataValidations><dataValidation><formula1>\"是,否\"</formula1></dataValidation></dataValidations>",
        ] {
            assert!(!may_have_formulas(sheet(xml).as_bytes()), "{xml}");
        }
    }
}
