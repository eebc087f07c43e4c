//! Writes the benchmark's import file: `N` teachers (default 10,000) for the schools whose
//! codes are given, as a `.xlsx` in the import template's columns.
//!
//! `cargo run --release --example teachers_xlsx -- OUT.xlsx N CODE [CODE …]`
use rust_xlsxwriter::Workbook;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: teachers_xlsx OUT.xlsx N CODE [CODE …]")?;
    let n: u32 = args
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or("N must be a number")?;
    let codes: Vec<String> = args.collect();
    if codes.is_empty() {
        return Err("give at least one school code".into());
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "学校标识码",
        "姓名",
        "性别",
        "工号",
        "任教学科",
        "职称",
        "教龄",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string(0, c as u16, *h)
            .map_err(|e| e.to_string())?;
    }
    for i in 0..n {
        let r = i + 1;
        let row = [
            codes[i as usize % codes.len()].clone(),
            format!("导入教师{i}"),
            if i % 2 == 0 { "女" } else { "男" }.to_string(),
            format!("IMP{i:05}"),
            "数学、物理".to_string(),
            "一级教师".to_string(),
        ];
        for (c, value) in row.iter().enumerate() {
            sheet
                .write_string(r, c as u16, value)
                .map_err(|e| e.to_string())?;
        }
        sheet
            .write_number(r, 6, f64::from(i % 30 + 1))
            .map_err(|e| e.to_string())?;
    }
    book.save(&out).map_err(|e| e.to_string())?;
    println!("{n} teachers written to {out}");
    Ok(())
}
