//! 资金发放核对: what was owed against what was paid in the spring term,
//! the term's records by payment channel (card, in kind, cash…), each
//! figure counted again from the records, and every term's records in a
//! table.

use std::collections::BTreeMap;

use super::gather::{Gather, Origin};
use super::keys::Key;
use super::{Error, Presentation};
use crate::eligibility::{FindingKind, Reconciliation};
use crate::model::{Channel, Decimal, Disbursement, Money, Term};
use crate::report::{Inline, Relation, Source, Table};

/// The records of each term and channel: their number and amount.
pub(super) type Tally = BTreeMap<(Term, Channel), (u64, Money)>;

/// Count the records by term and payment channel.
pub(super) fn tally(paid: &[Disbursement]) -> Tally {
    let mut t = Tally::new();
    for d in paid {
        let e = t.entry((d.term, d.channel)).or_insert((0, Money::ZERO));
        e.0 += 1;
        e.1 += d.amount;
    }
    t
}

/// What was owed against what was paid in the spring term, and every
/// term's records by payment channel.
pub(super) fn reconciliation(
    g: &mut Gather<'_>,
    spring: Term,
    recon: &Reconciliation,
    paid: &[Disbursement],
) -> Result<(), Error> {
    let p = g.p();
    let src = |zh: &str, en: &str| source(p, zh, en);
    let term = spring.to_chinese();
    let by = tally(paid);
    // The report's figures, from the reconciliation of the term's records.
    g.count(
        Key::EntitlementsCount,
        &format!("{term}应发资助（学生、项目）"),
        recon.entitlements,
        "人次",
        src("应发人次", "entitlements in scope"),
    )?;
    g.count(
        Key::PaymentsCount,
        &format!("{term}发放记录"),
        recon.records,
        "笔",
        src("本学期发放记录", "payment records of the term"),
    )?;
    g.wan(
        Key::PaidAmount,
        &format!("{term}发放金额"),
        recon.paid,
        src("本学期发放金额", "amount paid in the term"),
    )?;
    let (count_keys, amount_keys) = by_channel(g, spring, &by)?;
    let kind = |k: FindingKind| recon.by_kind.get(&k).map_or(0, |c| c.records);
    for (key, label, k, unit, source) in [
        (
            Key::ReconUnpaid,
            "应发未发",
            FindingKind::Unpaid,
            "人次",
            src("应发未发", "unpaid"),
        ),
        (
            Key::ReconDuplicate,
            "重复发放",
            FindingKind::Duplicate,
            "笔",
            src("重复发放", "duplicate payments"),
        ),
        (
            Key::ReconAfterLeaving,
            "离校后发放",
            FindingKind::PaidAfterLeaving,
            "笔",
            src("离校后发放", "paid after leaving"),
        ),
    ] {
        g.count(key, label, kind(k), unit, source)?;
    }
    records_table(g, &by)?;
    for (parts, total) in [(count_keys, Key::PaymentsCount), (amount_keys, Key::PaidAmount)] {
        g.records.push(Relation::Sum {
            parts: parts.iter().map(Key::to_string).collect(),
            total: total.to_string(),
        });
    }
    Ok(())
}

/// A source of the reconciliation's figures.
fn source(p: &Presentation, zh: &str, en: &str) -> Source {
    p.source(
        None,
        Origin::Payments,
        &format!("核对：{zh}"),
        &format!("eligibility: reconcile, {en}"),
    )
}

/// The spring term's records by payment channel: the number and amount of
/// each channel, counted again from the records, and the records of all
/// channels together; gives the keys of the channels' counts and amounts.
fn by_channel(g: &mut Gather<'_>, spring: Term, by: &Tally) -> Result<(Vec<Key>, Vec<Key>), Error> {
    let p = g.p();
    let src = |zh: &str, en: &str| source(p, zh, en);
    let term = spring.to_chinese();
    let (mut n_all, mut a_all) = (0u64, Money::ZERO);
    let (mut count_keys, mut amount_keys) = (Vec::new(), Vec::new());
    for ((_, channel), (n, amount)) in by.iter().filter(|((t, _), _)| *t == spring) {
        let code = channel.code();
        let name = channel.chinese();
        // Every channel the model knows has its two keys; a channel without
        // them would leave its records out of the parts, which the sum of
        // the parts then shows.
        let Some([ck, ak]) = Key::payments(code) else { continue };
        let basis = format!("{term}{name}记录");
        let csrc = src(&format!("{name}记录笔数"), &format!("records paid by {code}"));
        g.count(ck, &format!("{term}{name}笔数"), *n, "笔", csrc)?;
        let asrc = src(&format!("{name}金额"), &format!("amount paid by {code}"));
        g.wan(ak, &format!("{term}{name}金额"), *amount, asrc)?;
        g.records.push(Relation::Records {
            key: ck.to_string(),
            records: Decimal::from(*n),
            basis: basis.clone(),
        });
        g.records.push(Relation::Records {
            key: ak.to_string(),
            records: amount.as_decimal(),
            basis: format!("{basis}金额"),
        });
        g.dated.push((ck.to_string(), spring.last_day()));
        g.dated.push((ak.to_string(), spring.last_day()));
        count_keys.push(ck);
        amount_keys.push(ak);
        n_all += n;
        a_all += *amount;
    }
    g.records.push(Relation::Records {
        key: Key::PaymentsCount.into(),
        records: Decimal::from(n_all),
        basis: format!("{term}全部发放记录"),
    });
    g.records.push(Relation::Records {
        key: Key::PaidAmount.into(),
        records: a_all.as_decimal(),
        basis: format!("{term}全部发放记录金额"),
    });
    Ok((count_keys, amount_keys))
}

/// Every term's records by channel, as a table.
fn records_table(g: &mut Gather<'_>, by: &Tally) -> Result<(), Error> {
    // Every term's records by channel, for the table.
    let mut t = Table::new(
        "发放记录按学期和发放方式统计",
        &["学期", "发放方式", "笔数", "金额（万元）"],
    );
    for ((term, channel), (n, amount)) in by {
        let row = t.push_row(vec![
            Inline::text(term.to_chinese()),
            Inline::text(channel.chinese()),
            Inline::text(n.to_string()),
            Inline::text(amount.wan_yuan().normalize().to_string()),
        ]);
        if let Err(e) = row {
            g.add(Err(e.into()))?;
        }
    }
    g.data.table(
        "payments_by_term",
        t.with_note("按发放记录逐笔统计；金额未舍入。实物发放（如营养膳食）不是打卡发放。"),
    );
    Ok(())
}
