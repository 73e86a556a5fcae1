//! Checks of a plain-text report: sums, rates and amounts against a
//! stated standard, sentence by sentence.

use eduaid_model::Rounding;
use eduaid_model::convert::clamped;
use eduaid_model::rate::{PrintedCheck, detect_double_rounding};
use rust_decimal::Decimal;

use super::tokens::{Family, Token, between, restore_decimals, sentences, tokenize};
use super::{Check, CheckKind, Validation};
use crate::doc::chinese_numeral;

/// Check the arithmetic of a plain-text report (Chinese). Broken decimals
/// are restored first (see [`restore_decimals`]).
///
/// ```
/// use eduaid_report::validate_text;
/// let v = validate_text("全县三类残疾儿童共307人，在校305人，入学率达99.4%。");
/// assert_eq!(v.findings().len(), 1);
/// assert!(v.findings()[0].message.contains("99.3%"));
/// ```
#[must_use]
pub fn validate_text(text: &str) -> Validation {
    let restored = restore_decimals(text);
    let mut out = Validation::default();
    for sentence in sentences(&restored) {
        let chars: Vec<char> = sentence.chars().collect();
        let tokens = tokenize(&chars);
        check_sums(&sentence, &chars, &tokens, &mut out);
        check_groups(&sentence, &chars, &tokens, &mut out);
        check_rates(&sentence, &chars, &tokens, &mut out);
        check_amounts(&sentence, &chars, &tokens, &mut out);
    }
    out
}

const TOTAL_WORDS: &[&str] = &["总计", "合计", "共计", "总共", "总数为", "总数"];

/// `…a人、b人…，总计c人`: the parts before a total word sum to the number
/// right after it.
fn check_sums(sentence: &str, s: &[char], tokens: &[Token], out: &mut Validation) {
    for (ti, t) in tokens.iter().enumerate() {
        if t.group.is_some() || !matches!(t.family, Family::Count(_) | Family::Money) || t.per.is_some() {
            continue;
        }
        let prev_end = if ti == 0 { 0 } else { tokens[ti - 1].end };
        let lead = between(s, prev_end, t.start);
        let lead = lead.trim_end_matches([' ', '：', ':', '为', '达']);
        if !TOTAL_WORDS.iter().any(|w| lead.ends_with(w)) {
            continue;
        }
        let parts: Vec<&Token> = tokens[..ti]
            .iter()
            .filter(|p| p.family == t.family && p.group.is_none() && p.per.is_none())
            .collect();
        if parts.len() < 2 {
            continue;
        }
        push_sum(sentence, &parts, t, out);
    }
}

/// `198人（初中起点189名、高中起点9名）`: a number followed at once by a
/// bracket of at least two numbers of its kind.
fn check_groups(sentence: &str, s: &[char], tokens: &[Token], out: &mut Validation) {
    for (ti, t) in tokens.iter().enumerate() {
        if t.group.is_some() || !matches!(t.family, Family::Count(_) | Family::Money) {
            continue;
        }
        let mut k = t.end;
        while s.get(k) == Some(&' ') {
            k += 1;
        }
        if !matches!(s.get(k), Some('（' | '(')) {
            continue;
        }
        let Some(next) = tokens.get(ti + 1) else { continue };
        let Some(g) = next.group else { continue };
        let parts: Vec<&Token> = tokens[ti + 1..]
            .iter()
            .take_while(|p| p.group == Some(g))
            .filter(|p| p.family == t.family)
            .collect();
        if parts.len() < 2 {
            continue;
        }
        push_sum(sentence, &parts, t, out);
    }
}

fn push_sum(sentence: &str, parts: &[&Token], total: &Token, out: &mut Validation) {
    let unit = unit_of(total);
    let mut numbers: Vec<String> = parts.iter().map(|p| p.raw.clone()).collect();
    numbers.push(total.raw.clone());
    // Parts past Decimal's range (about 7.9 × 10²⁸) cannot sum to a printed
    // total, which is at most 20 digits of 亿元: inconsistent, not a panic.
    let Some(sum) = parts.iter().try_fold(Decimal::ZERO, |s, p| s.checked_add(p.value)) else {
        out.checks.push(Check {
            kind: CheckKind::Sum,
            location: sentence.to_string(),
            numbers,
            consistent: false,
            message: format!(
                "分项{}之和超出可计算范围，与所列合计{}不符",
                parts.iter().map(|p| p.raw.as_str()).collect::<Vec<_>>().join("+"),
                total.raw
            ),
        });
        return;
    };
    let ok = sum == total.value;
    let message = if ok {
        format!("分项之和{}{unit}与合计{}一致", sum.normalize(), total.raw)
    } else {
        let diff = sum.checked_sub(total.value).unwrap_or(Decimal::MAX).abs().normalize();
        format!(
            "分项{}之和为{}{unit}，与所列合计{}不符（相差{diff}{unit}）",
            parts.iter().map(|p| p.raw.as_str()).collect::<Vec<_>>().join("+"),
            sum.normalize(),
            total.raw
        )
    };
    out.checks.push(Check {
        kind: CheckKind::Sum,
        location: sentence.to_string(),
        numbers,
        consistent: ok,
        message,
    });
}

fn unit_of(t: &Token) -> &'static str {
    match t.family {
        Family::Money => "元",
        Family::Count(u) => u,
        Family::Percent => "%",
        Family::Other => "",
    }
}

/// `共307人，在校305人，入学率达99.4%`: the two nearest counts of one kind
/// before a percentage introduced by 率 or 占.
fn check_rates(sentence: &str, s: &[char], tokens: &[Token], out: &mut Validation) {
    let mut used_until = 0usize;
    for (pi, p) in tokens.iter().enumerate() {
        if p.family != Family::Percent || p.group.is_some() {
            continue;
        }
        // The nearest two counts before it, with no percentage between.
        let before: Vec<(usize, &Token)> = tokens[..pi]
            .iter()
            .enumerate()
            .rev()
            .take_while(|(_, t)| t.family != Family::Percent)
            .filter(|(i, t)| matches!(t.family, Family::Count(_)) && t.group.is_none() && *i >= used_until)
            .take(2)
            .collect();
        let [(bi, b), (_, a)] = before.as_slice() else {
            continue;
        };
        if a.family != b.family {
            continue;
        }
        let words = between(s, a.end, p.start);
        if !(words.contains('率') || words.contains('占')) {
            continue;
        }
        let (num, den) = if a.value <= b.value { (a, b) } else { (b, a) };
        if den.value.is_zero() {
            continue;
        }
        used_until = bi + 1;
        let Some(exact) = num
            .value
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|x| x.checked_div(den.value))
        else {
            continue;
        };
        let printed = p.value;
        let expected = Rounding::HalfUp.round(exact, p.dp);
        let ok = expected == printed || (exact == printed);
        let shown = |d: Decimal, dp: u32| {
            let dp = dp as usize;
            format!("{d:.dp$}")
        };
        let cut = Rounding::Down.round(exact, p.dp + 3);
        let exact_txt = if cut == exact {
            exact.normalize().to_string()
        } else {
            format!("{}…", shown(cut, p.dp + 3))
        };
        let message = if ok {
            format!(
                "{}÷{}={exact_txt}%，保留{}位小数为{}%，一致",
                num.raw,
                den.raw,
                p.dp,
                shown(expected, p.dp)
            )
        } else {
            // The one double-rounding check (the statistics crate's too):
            // the printed figure's places are those it was printed with.
            let check = detect_double_rounding(exact, printed, Rounding::HalfUp);
            let cause = if let PrintedCheck::DoubleRounding { steps, .. } = &check {
                // Each step at one place fewer than the one before, down to
                // the printed places: 99.3485… → 99.35 → 99.4.
                let last = steps.len().saturating_sub(1);
                let chain: Vec<String> = steps
                    .iter()
                    .enumerate()
                    .map(|(i, v)| shown(*v, p.dp.saturating_add(clamped(last - i))))
                    .collect();
                let times = match steps.len() {
                    2 => "两".to_string(),
                    n => chinese_numeral(clamped(n)),
                };
                format!("；所列{}系{times}次舍入所致（{exact_txt}→{}）", p.raw, chain.join("→"))
            } else if Rounding::Up.round(exact, p.dp) == printed {
                format!("；所列{}系进一所致", p.raw)
            } else {
                String::new()
            };
            format!(
                "{}÷{}={exact_txt}%，保留{}位小数应为{}%，与所列{}不符{cause}",
                num.raw,
                den.raw,
                p.dp,
                shown(expected, p.dp),
                p.raw
            )
        };
        out.checks.push(Check {
            kind: CheckKind::Rate,
            location: sentence.to_string(),
            numbers: vec![den.raw.clone(), num.raw.clone(), p.raw.clone()],
            consistent: ok,
            message,
        });
    }
}

const AMOUNT_WORDS: &[&str] = &["资金", "金额", "总额", "经费", "共计", "合计"];
const TERM_WORDS: &[&str] = &["春季", "秋季", "学期"];

/// `按1000元/生/年的标准…共资助…2409人，补助资金120.45万元`: a stated
/// standard, then a count, then an amount.
fn check_amounts(sentence: &str, s: &[char], tokens: &[Token], out: &mut Validation) {
    for (si, st) in tokens.iter().enumerate() {
        let Some(yearly) = st.per else { continue };
        if st.group.is_some() {
            continue;
        }
        let rest = &tokens[si + 1..];
        let Some(ci) = rest
            .iter()
            .position(|t| matches!(t.family, Family::Count(_)) && t.group.is_none())
        else {
            continue;
        };
        let count = &rest[ci];
        let Some(amount) = rest[ci + 1..].iter().find(|t| {
            t.family == Family::Money && t.per.is_none() && t.group.is_none() && {
                let lead = between(s, t.start.saturating_sub(4), t.start);
                AMOUNT_WORDS.iter().any(|w| lead.contains(w))
            }
        }) else {
            continue;
        };
        let Some(full) = count.value.checked_mul(st.value) else {
            // Past Decimal's range: no printed amount can match it, and no
            // clamped figure is shown as if it were the product.
            out.checks.push(Check {
                kind: CheckKind::Amount,
                location: sentence.to_string(),
                numbers: vec![st.raw.clone(), count.raw.clone(), amount.raw.clone()],
                consistent: false,
                message: format!("{}×{}超出可计算范围，与所列{}不符", count.raw, st.raw, amount.raw),
            });
            continue;
        };
        let half = full / Decimal::TWO;
        let one_term = TERM_WORDS.iter().any(|w| sentence.contains(w));
        let yuan = |d: Decimal| format!("{}元", d.normalize());
        let (ok, message) = if amount.value == full {
            (
                true,
                format!("{}×{}={}，与{}一致", count.raw, st.raw, yuan(full), amount.raw),
            )
        } else if yearly && one_term && amount.value == half {
            (
                true,
                format!(
                    "年标准按一个学期发放：{}×{}÷2={}，与{}一致",
                    count.raw,
                    st.raw,
                    yuan(half),
                    amount.raw
                ),
            )
        } else {
            let also = if yearly {
                format!("（按一个学期为{}）", yuan(half))
            } else {
                String::new()
            };
            (
                false,
                format!(
                    "{}×{}={}{also}，与所列{}不符",
                    count.raw,
                    st.raw,
                    yuan(full),
                    amount.raw
                ),
            )
        };
        out.checks.push(Check {
            kind: CheckKind::Amount,
            location: sentence.to_string(),
            numbers: vec![st.raw.clone(), count.raw.clone(), amount.raw.clone()],
            consistent: ok,
            message,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_the_seed_forms() {
        assert_eq!(restore_decimals("占在校学生的\n18、49%。"), "占在校学生的18.49%。");
        assert_eq!(restore_decimals("投入\n1、14亿元"), "投入1.14亿元");
        assert_eq!(restore_decimals("资金5\n9、9万元"), "资金59.9万元");
        assert_eq!(restore_decimals("\n1、2021职业教育"), "\n1、2021职业教育");
        assert_eq!(restore_decimals("a\r\n9、4%"), "a9.4%");
    }

    #[test]
    fn sums() {
        let v = validate_text("共有幼儿23429人，小学生56370人、初中生26577人，高中学生20588人，总计126864人。");
        assert_eq!(v.checks.len(), 1);
        assert!(!v.checks[0].consistent);
        assert!(v.checks[0].message.contains("126964"), "{}", v.checks[0].message);
        let v = validate_text("已与198人（初中起点189名、高中起点9名）签订了培养合同。");
        assert_eq!(v.checks.len(), 1);
        assert!(v.checks[0].consistent);
    }

    #[test]
    fn rates_and_double_rounding() {
        let v = validate_text("共307人，在校305人，入学率达99.4%，远超80%的省颁标准。");
        assert_eq!(v.checks.len(), 1);
        let c = &v.checks[0];
        assert!(!c.consistent);
        assert!(
            c.message.contains("99.3%") && c.message.contains("两次舍入"),
            "{}",
            c.message
        );
        assert!(validate_text("共307人，在校305人，入学率达99.3%").is_consistent());
        // Three roundings: 12.3449 → 12.345 → 12.35 → 12.4, where once it is 12.3.
        let v = validate_text("共1000000人，在校123449人，占12.4%");
        assert_eq!(v.checks.len(), 1);
        assert!(
            v.checks[0]
                .message
                .ends_with("应为12.3%，与所列12.4%不符；所列12.4%系三次舍入所致（12.3449→12.345→12.35→12.4）"),
            "{}",
            v.checks[0].message
        );
        assert!(validate_text("共307人，在校305人，入学率达99.35%").is_consistent());
    }

    #[test]
    fn amounts_with_a_yearly_standard_for_one_term() {
        let t = "从今年春季起，按1000元/生/年的标准落实到位，共资助学生2409人，补助资金120.45万元。";
        let v = validate_text(t);
        assert_eq!(v.checks.len(), 1);
        assert!(v.checks[0].consistent, "{}", v.checks[0].message);
        let v = validate_text("按1000元/生/年的标准，共资助学生2409人，补助资金130万元。");
        assert!(!v.is_consistent());
    }

    #[test]
    fn commas_and_units() {
        let toks = tokenize(&"共1,204,500元，6-14岁，9 月 29日".chars().collect::<Vec<_>>());
        assert_eq!(toks[0].value, Decimal::from(1_204_500));
        assert_eq!(toks[0].family, Family::Money);
        assert!(toks.iter().skip(1).all(|t| t.family == Family::Other));
    }
}
