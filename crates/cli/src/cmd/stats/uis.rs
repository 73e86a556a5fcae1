//! The UIS sheet: flow rates by grade and the reconstructed cohort.

use eduaid::model::{Counts, SchoolYear, Stage};
use eduaid::stats::{CohortOptions, reconstructed_cohort_from_counts};

use super::sheet::Show;
use crate::output::{Sheet, Val};

/// reconstructed cohort of each stage.
pub(super) fn uis_sheet(counts: &Counts, year: SchoolYear, show: Show, name: &str) -> Sheet {
    let zh = show.zh;
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let mut sheet = Sheet::new(
        name,
        &[
            h("stage", "学段"),
            h("grade", "年级"),
            h("base_year", "基年"),
            h("enrolled", "在校生"),
            h("promotion", "升级率"),
            h("repetition", "留级率"),
            h("dropout", "辍学率"),
            h("survival_to_grade", "到达该年级的比例"),
            h("note", "说明"),
        ],
    );
    let Some(base) = year.offset(-1) else {
        return sheet;
    };
    let options = CohortOptions::default();
    for (stage, grades) in [(Stage::Primary, 6u8), (Stage::Junior, 3u8)] {
        let stage_name = if zh { stage.chinese() } else { stage.code() };
        match reconstructed_cohort_from_counts(counts, stage, grades, base, &options) {
            Ok((flows, cohort)) => {
                for f in &flows {
                    sheet.push(vec![
                        stage_name.into(),
                        u64::from(f.grade).into(),
                        base.to_string().into(),
                        f.enrolled.into(),
                        Val::percent_or_text(&show.rate(&f.promotion)),
                        Val::percent_or_text(&show.rate(&f.repetition)),
                        Val::percent_or_text(&show.rate(&f.dropout)),
                        cohort
                            .survival_to(f.grade)
                            .map_or(Val::Empty, |v| Val::percent_or_text(&show.fraction(v))),
                        (if f.negative_dropout() {
                            h("negative dropout: rates capped", "辍学率为负：已按比例压缩")
                        } else {
                            ""
                        })
                        .into(),
                    ]);
                }
                let summary = [
                    (
                        h("graduates per cohort", "队列毕业比例"),
                        cohort
                            .graduation_share()
                            .map(|v| Val::percent_or_text(&show.fraction(v))),
                    ),
                    (
                        h("coefficient of efficiency", "效率系数"),
                        cohort
                            .coefficient_of_efficiency()
                            .map(|v| Val::number_or_text(&show.number(v))),
                    ),
                    (
                        h("years-input per graduate", "每名毕业生投入学年数"),
                        cohort
                            .years_input_per_graduate()
                            .map(|v| Val::number_or_text(&show.number(v))),
                    ),
                ];
                for (label, v) in summary {
                    sheet.push(vec![
                        stage_name.into(),
                        Val::Empty,
                        base.to_string().into(),
                        Val::Empty,
                        Val::Empty,
                        Val::Empty,
                        Val::Empty,
                        v.unwrap_or(Val::Empty),
                        label.into(),
                    ]);
                }
            }
            Err(e) => sheet.push(vec![
                stage_name.into(),
                Val::Empty,
                base.to_string().into(),
                Val::Empty,
                Val::Empty,
                Val::Empty,
                Val::Empty,
                Val::Empty,
                format!("{}{e}", h("not computable: ", "不可计算：")).into(),
            ]),
        }
    }
    sheet
}
