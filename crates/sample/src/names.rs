//! Synthetic Chinese-looking names from syllable tables.
//!
//! No name here belongs to a real person or place on purpose: a person's
//! name is a common surname and one or two given-name characters drawn at
//! random, a township's name is an invented pair of characters, and
//! officials are never named. Names can coincide with real ones by chance,
//! as any two-character name can.

use crate::rng::SplitMix64;

/// Common surnames (姓), most frequent first; the draw favours the front.
pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭", "林", "何", "高",
    "梁", "郑", "罗", "宋", "谢", "唐", "韩", "曹", "许", "邓", "冯", "曾", "程", "蔡", "彭", "潘", "袁", "董", "余",
    "苏", "叶", "吕", "魏", "蒋", "田", "杜", "丁", "沈", "姜", "范", "江", "傅", "钟", "卢", "汪", "戴", "崔", "任",
    "陆", "廖", "姚", "方", "金", "邱", "夏", "谭", "贾", "邹", "石", "熊", "孟", "秦", "薛", "侯", "雷", "白", "龙",
    "段", "郝", "孔", "邵", "史", "毛", "常", "万", "顾", "赖", "武", "康", "贺", "严", "尹", "易", "颜", "阳",
];

const BOY: &[&str] = &[
    "子", "浩", "宇", "轩", "博", "文", "俊", "涛", "鑫", "杰", "磊", "强", "明", "辉", "鹏", "志", "翔", "睿", "晨",
    "泽", "阳", "凯", "航", "豪", "然", "嘉", "天", "思", "远", "哲", "诚", "毅", "锐", "恒", "铭", "宸", "烨",
];

const GIRL: &[&str] = &[
    "梓", "涵", "欣", "怡", "雨", "萱", "佳", "琪", "诗", "雅", "婷", "慧", "静", "悦", "瑶", "妍", "彤", "心", "可",
    "馨", "若", "晓", "依", "梦", "丽", "芳", "娜", "敏", "雪", "蕾", "菲", "颖", "洁", "露", "婉", "玥", "语",
];

const ELDER: &[&str] = &[
    "建", "国", "华", "军", "平", "红", "英", "秀", "兰", "霞", "勇", "斌", "春", "玲", "桂", "云", "德", "新", "卫",
    "东", "林", "群", "荣", "梅", "清", "海", "立", "秋", "金", "玉", "美", "利", "永", "光", "学", "忠", "艳",
];

/// The rural townships (乡镇) of the sample county: invented names.
pub const TOWNSHIPS: &[&str] = &[
    "青溪镇",
    "白鹭镇",
    "金竹镇",
    "枫林乡",
    "云台镇",
    "杉木乡",
    "兰田镇",
    "桂岭乡",
    "松坳镇",
    "梅溪乡",
    "柳塘镇",
    "凤鸣乡",
    "鹤岭镇",
    "栗山乡",
    "竹坪镇",
    "石湾镇",
    "桃冲乡",
    "杨柳坪乡",
];

/// The urban district (城区) of the sample county.
pub const URBAN_DISTRICT: &str = "城关镇";

const VILLAGE_A: &[&str] = &[
    "大", "小", "上", "下", "新", "长", "高", "双", "中", "东", "西", "南", "北", "清", "黄", "白", "红", "青",
];
const VILLAGE_B: &[&str] = &[
    "冲", "坪", "塘", "岭", "湾", "桥", "田", "源", "山", "坳", "溪", "垅", "屋", "湖", "洲", "岗", "庄", "井",
];

fn weighted_surname(rng: &mut SplitMix64) -> &'static str {
    // Half the draws from the twenty most common surnames, as in most
    // Chinese counties.
    let pool = if rng.chance(1, 2) { &SURNAMES[..20] } else { SURNAMES };
    rng.pick(pool).copied().unwrap_or("王")
}

/// A random surname.
pub(crate) fn surname(rng: &mut SplitMix64) -> &'static str {
    weighted_surname(rng)
}

/// A child's given name (名) of one or two characters.
pub(crate) fn given_name(rng: &mut SplitMix64, female: bool) -> String {
    let table = if female { GIRL } else { BOY };
    let first = rng.pick(table).copied().unwrap_or("子");
    if rng.chance(1, 5) {
        return first.to_string();
    }
    let second = rng.pick(table).copied().unwrap_or("子");
    format!("{first}{second}")
}

/// A child's full name with the given surname.
pub(crate) fn child_name(rng: &mut SplitMix64, surname: &str, female: bool) -> String {
    format!("{surname}{}", given_name(rng, female))
}

/// A teacher's (adult's) full name, for the assigned helpers (帮扶责任人).
pub(crate) fn adult_name(rng: &mut SplitMix64) -> String {
    let s = weighted_surname(rng);
    let a = rng.pick(ELDER).copied().unwrap_or("建");
    let b = rng.pick(ELDER).copied().unwrap_or("国");
    format!("{s}{a}{b}")
}

/// An invented village name (村名), without the 村.
pub(crate) fn village(rng: &mut SplitMix64) -> String {
    let a = rng.pick(VILLAGE_A).copied().unwrap_or("大");
    let b = rng.pick(VILLAGE_B).copied().unwrap_or("冲");
    format!("{a}{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_surname_and_given_name() {
        let mut r = SplitMix64::new(9);
        for _ in 0..200 {
            let s = surname(&mut r);
            let female = r.chance(1, 2);
            let n = child_name(&mut r, s, female);
            let chars = n.chars().count();
            assert!((2..=3).contains(&chars), "{n}");
            assert!(n.starts_with(s));
            assert_eq!(adult_name(&mut r).chars().count(), 3);
        }
    }

    #[test]
    fn townships_are_distinct_and_not_the_urban_district() {
        let mut t = TOWNSHIPS.to_vec();
        t.sort_unstable();
        t.dedup();
        assert_eq!(t.len(), TOWNSHIPS.len());
        assert!(!TOWNSHIPS.contains(&URBAN_DISTRICT));
    }
}
