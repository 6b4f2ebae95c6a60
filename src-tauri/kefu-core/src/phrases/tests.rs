use proptest::prelude::*;

use super::*;
use crate::agenda::Kind;
use crate::ShopTime;

fn p(group: &str, code: &str) -> Phrase {
    Phrase::new(group, code, &format!("{code} 的内容"))
}

fn codes(set: &[Phrase]) -> Vec<&str> {
    set.iter().map(|p| p.code.as_str()).collect()
}

#[test]
fn add_goes_to_the_end_of_its_group_and_a_new_group_to_the_end() {
    let mut set = vec![p("问候", "a"), p("问候", "b"), p("退款", "c")];
    assert_eq!(add(&mut set, p("问候", "d")).unwrap(), 2);
    assert_eq!(add(&mut set, p("发票", "e")).unwrap(), 4);
    assert_eq!(add(&mut set, p("", "f")).unwrap(), 5);
    assert_eq!(codes(&set), ["a", "b", "d", "c", "e", "f"]);
    assert_eq!(set[5].group, DEFAULT_GROUP);
    assert_eq!(groups(&set), ["问候", "退款", "发票", DEFAULT_GROUP]);
}

#[test]
fn a_code_is_unique_in_its_set_whatever_its_case_and_spaces() {
    let mut set = vec![p("问候", "Hy")];
    let e = add(&mut set, p("退款", " hy ")).unwrap_err();
    assert!(e.to_string().starts_with("code:"), "{e}");
    assert_eq!(set.len(), 1);
    // Editing a phrase may keep its own code.
    edit(&mut set, 0, Phrase::new("问候", "HY", "新的内容")).unwrap();
    assert_eq!(set[0].text, "新的内容");
}

#[test]
fn a_bad_phrase_is_refused_naming_the_field_and_the_set_is_unchanged() {
    let mut set = vec![p("问候", "a")];
    let before = set.clone();
    for (phrase, field) in [
        (Phrase::new("问候", "", "内容"), "code:"),
        (Phrase::new("问候", "x", "  "), "text:"),
        (Phrase::new("问候", "x", "您的{订单}"), "phrase:"),
        (Phrase::new(&"组".repeat(21), "x", "内容"), "group:"),
        (Phrase::new("问候", "a\nb", "内容"), "code:"),
        (Phrase::new("问候", "x", &"字".repeat(2001)), "text:"),
    ] {
        let e = add(&mut set, phrase.clone()).unwrap_err();
        assert!(e.to_string().starts_with(field), "{phrase:?}: {e}");
        assert!(insert(&mut set, 0, phrase.clone()).is_err());
        assert!(edit(&mut set, 0, phrase).is_err());
        assert_eq!(set, before);
    }
    assert!(delete(&mut set, 3).is_err());
    assert!(insert(&mut set, 2, p("问候", "z")).is_err());
}

#[test]
fn moving_up_and_down_stays_within_the_group() {
    let mut set = vec![
        p("问候", "a"),
        p("退款", "x"),
        p("问候", "b"),
        p("问候", "c"),
    ];
    assert_eq!(shift(&mut set, 2, true).unwrap(), 0);
    assert_eq!(codes(&set), ["b", "x", "a", "c"]);
    assert_eq!(
        shift(&mut set, 0, true).unwrap(),
        0,
        "first of its group stays"
    );
    assert_eq!(shift(&mut set, 2, false).unwrap(), 3);
    assert_eq!(codes(&set), ["b", "x", "c", "a"]);
    assert_eq!(
        shift(&mut set, 1, false).unwrap(),
        1,
        "only one in its group"
    );
}

#[test]
fn moving_to_another_group_puts_it_last_there_and_a_refused_group_changes_nothing() {
    let mut set = vec![p("问候", "a"), p("退款", "x"), p("问候", "b")];
    assert_eq!(move_to_group(&mut set, 0, "退款").unwrap(), 1);
    assert_eq!(codes(&set), ["x", "a", "b"]);
    assert_eq!(set[1].group, "退款");
    let before = set.clone();
    assert!(move_to_group(&mut set, 1, &"长".repeat(30)).is_err());
    assert_eq!(set, before);
}

#[test]
fn only_a_supervisor_or_the_main_account_edits_the_shop_set() {
    use crate::team::Role;
    assert!(may_edit(Role::Agent, Set::Shop).is_err());
    assert!(may_edit(Role::Agent, Set::Personal).is_ok());
    assert!(may_edit(Role::Supervisor, Set::Shop).is_ok());
    assert!(may_edit(Role::Main, Set::Shop).is_ok());
}

#[test]
fn the_default_library_is_valid_and_finds_by_pinyin() {
    let mut set = Vec::new();
    for phrase in default_library() {
        add(&mut set, phrase).expect("every default phrase is valid and its code unique");
    }
    assert_eq!(set, default_library(), "already in group order");
    for kind in [Kind::Chase, Kind::ReviewRequest, Kind::ReturnReceipt] {
        assert!(set.iter().any(|p| p.code == follow_up_code(kind)));
    }
    let f = Finder::new(&set);
    let found = f.find("sc", &Default::default(), 5);
    assert_eq!(set[found[0].index].code, "sc");
    // 退款的步骤 typed as initials.
    let found = f.find("tkdbz", &Default::default(), 5);
    assert_eq!(set[found[0].index].code, "tk");
}

#[test]
fn follow_up_messages_are_the_shops_phrases_filled() {
    let closes = crate::followups::tests::at("2026-11-04 10:00:00");
    let default = follow_up_message(
        &[],
        Kind::Chase,
        "云朵希9624",
        Some(closes),
        ShopTime::SHANGHAI,
    );
    assert_eq!(
        default,
        "亲，云朵希9624，您拍下的宝贝还没有付款哦～订单将在 11月04日 10:00 自动关闭，库存有限，付款后我们会尽快为您发货。如果付款遇到问题，随时告诉我们哦！"
    );
    let mut set = default_library();
    let i = set.iter().position(|p| p.code == "跟进催付").unwrap();
    edit(
        &mut set,
        i,
        Phrase::new("跟进", "跟进催付", "{买家}，记得在{关闭时间}前付款"),
    )
    .unwrap();
    assert_eq!(
        follow_up_message(&set, Kind::Chase, "小王", Some(closes), ShopTime::SHANGHAI),
        "小王，记得在11月04日 10:00前付款"
    );
    assert_eq!(
        follow_up_message(&set, Kind::RefundReply, "小王", None, ShopTime::SHANGHAI),
        "处理 小王 的退款申请：（时间未知） 前未处理，平台将自动退款。"
    );
}

#[derive(Clone, Debug)]
enum Op {
    Add(u8, u8),
    Insert(usize, u8, u8),
    Edit(usize, u8, u8),
    Delete(usize),
    Shift(usize, bool),
    Regroup(usize, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3u8, 0..12u8).prop_map(|(g, c)| Op::Add(g, c)),
        (0..10usize, 0..3u8, 0..12u8).prop_map(|(i, g, c)| Op::Insert(i, g, c)),
        (0..10usize, 0..3u8, 0..12u8).prop_map(|(i, g, c)| Op::Edit(i, g, c)),
        (0..10usize).prop_map(Op::Delete),
        (0..10usize, any::<bool>()).prop_map(|(i, up)| Op::Shift(i, up)),
        (0..10usize, 0..3u8).prop_map(|(i, g)| Op::Regroup(i, g)),
    ]
}

const GROUPS: [&str; 3] = ["问候", "退款", "发票"];

proptest! {
    /// Whatever an agent does, codes stay unique, a refused operation changes nothing,
    /// and moving within a group never reorders the other groups' phrases.
    #[test]
    fn operations_keep_the_sets_rules(ops in prop::collection::vec(op(), 1..40)) {
        let mut set: Vec<Phrase> = Vec::new();
        for op in ops {
            let before = set.clone();
            let result = match op {
                Op::Add(g, c) => add(&mut set, p(GROUPS[g as usize], &format!("c{c}"))).map(|_| ()),
                Op::Insert(i, g, c) => insert(&mut set, i, p(GROUPS[g as usize], &format!("c{c}"))),
                Op::Edit(i, g, c) => edit(&mut set, i, p(GROUPS[g as usize], &format!("c{c}"))),
                Op::Delete(i) => delete(&mut set, i).map(|_| ()),
                Op::Shift(i, up) => shift(&mut set, i, up).map(|_| ()),
                Op::Regroup(i, g) => move_to_group(&mut set, i, GROUPS[g as usize]).map(|_| ()),
            };
            if result.is_err() {
                prop_assert_eq!(&set, &before);
            }
            let mut seen: Vec<String> = set.iter().map(|p| p.code.to_lowercase()).collect();
            seen.sort();
            seen.dedup();
            prop_assert_eq!(seen.len(), set.len());
            if let (Op::Shift(i, _), Ok(())) = (&op, &result) {
                let group = &before[*i].group;
                let others = |s: &[Phrase]| -> Vec<Phrase> {
                    s.iter().filter(|p| &p.group != group).cloned().collect()
                };
                prop_assert_eq!(others(&set), others(&before));
                let mut a = set.clone();
                let mut b = before.clone();
                a.sort_by(|x, y| x.code.cmp(&y.code));
                b.sort_by(|x, y| x.code.cmp(&y.code));
                prop_assert_eq!(a, b);
            }
        }
    }
}

#[test]
fn a_merge_refuses_known_codes_unless_told_to_keep_or_replace() {
    let set = vec![p("问候", "a"), p("退款", "b")];
    let incoming = vec![
        p("问候", "c"),
        Phrase::new("问候", "B", "新的"),
        p("发票", "d"),
    ];
    let mut refused = set.clone();
    assert_eq!(
        merge(&mut refused, incoming.clone(), None).unwrap(),
        Err(vec![1])
    );
    assert_eq!(refused, set);

    let mut kept = set.clone();
    let m = merge(&mut kept, incoming.clone(), Some(OnDuplicate::Keep))
        .unwrap()
        .unwrap();
    assert_eq!((m.added, m.replaced, m.kept), (2, 0, 1));
    assert_eq!(codes(&kept), ["a", "c", "b", "d"]);

    let mut replaced = set.clone();
    let m = merge(&mut replaced, incoming, Some(OnDuplicate::Replace))
        .unwrap()
        .unwrap();
    assert_eq!((m.added, m.replaced), (2, 1));
    assert_eq!(codes(&replaced), ["a", "c", "B", "d"]);
    assert_eq!(replaced[2].text, "新的");
}
