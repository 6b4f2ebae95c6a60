//! Columns are found by trimmed header name through one alias table, never by position:
//! columns differ between shop types and export versions.

use crate::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    OrderNo,
    Buyer,
    Status,
    Total,
    Postage,
    Created,
    Paid,
    Shipped,
    Ended,
    Title,
    Message,
    Remark,
    Receiver,
    Address,
    Phone,
    Tracking,
    Shop,
    CloseReason,
    ItemTitle,
    Price,
    Quantity,
    Attributes,
}

/// Every field with the header names that mean it, the preferred name first.
const ALIASES: &[(Field, &[&str])] = &[
    (Field::OrderNo, &["订单编号", "主订单编号", "订单号"]),
    (Field::Buyer, &["买家会员名", "买家昵称", "买家旺旺"]),
    (Field::Status, &["订单状态"]),
    (
        Field::Total,
        &["总金额", "订单金额", "买家实际支付金额", "买家实付金额"],
    ),
    (Field::Postage, &["买家应付邮费", "邮费"]),
    (Field::Created, &["订单创建时间", "下单时间", "创建时间"]),
    (Field::Paid, &["订单付款时间", "付款时间"]),
    (Field::Shipped, &["发货时间", "卖家发货时间"]),
    (Field::Ended, &["交易结束时间", "确认收货时间"]),
    (Field::Title, &["宝贝标题", "商品标题"]),
    (Field::Message, &["买家留言"]),
    (Field::Remark, &["订单备注", "商家备注", "卖家备注"]),
    (Field::Receiver, &["收货人姓名", "收货人"]),
    (Field::Address, &["收货地址"]),
    (Field::Phone, &["联系手机", "联系电话", "手机号"]),
    (Field::Tracking, &["物流单号", "运单号"]),
    (Field::Shop, &["店铺名称"]),
    (Field::CloseReason, &["订单关闭原因"]),
    (Field::ItemTitle, &["标题", "商品标题", "宝贝标题"]),
    (Field::Price, &["价格", "商品价格"]),
    (Field::Quantity, &["购买数量"]),
    (Field::Attributes, &["商品属性"]),
];

const ORDER_REQUIRED: [Field; 5] = [
    Field::OrderNo,
    Field::Buyer,
    Field::Status,
    Field::Total,
    Field::Created,
];
const ITEM_REQUIRED: [Field; 4] = [
    Field::OrderNo,
    Field::ItemTitle,
    Field::Price,
    Field::Quantity,
];

pub(crate) struct Header {
    names: Vec<String>,
    found: Vec<(Field, usize)>,
    items: bool,
}

fn aliases(f: Field) -> &'static [&'static str] {
    ALIASES
        .iter()
        .find(|(g, _)| *g == f)
        .map_or(&[], |(_, a)| a)
}

impl Header {
    pub(crate) fn new<'a>(
        file: &str,
        record: impl IntoIterator<Item = &'a str>,
    ) -> Result<Header, Error> {
        let names: Vec<String> = record
            .into_iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let mut found = Vec::new();
        for (field, names_for) in ALIASES {
            if let Some(i) = names_for
                .iter()
                .find_map(|a| names.iter().position(|n| n == a))
            {
                found.push((*field, i));
            }
        }
        let has = |f: Field| found.iter().any(|(g, _)| *g == f);
        // The items file has titles and prices but no buyer.
        let items = !has(Field::Buyer) && has(Field::Price) && has(Field::Quantity);
        if !items && !has(Field::OrderNo) && !has(Field::Buyer) {
            return Err(Error::NotAnExport {
                file: file.to_owned(),
                reason: "line 1 has neither 订单编号 nor 买家会员名; expected a Taobao/Tmall order export".to_owned(),
            });
        }
        let required: &[Field] = if items {
            &ITEM_REQUIRED
        } else {
            &ORDER_REQUIRED
        };
        if let Some(missing) = required.iter().find(|f| !has(**f)) {
            return Err(Error::MissingColumn {
                file: file.to_owned(),
                column: aliases(*missing)[0],
            });
        }
        Ok(Header {
            names,
            found,
            items,
        })
    }

    pub(crate) fn index(&self, f: Field) -> Option<usize> {
        self.found.iter().find(|(g, _)| *g == f).map(|(_, i)| *i)
    }

    pub(crate) fn name(&self, f: Field) -> &str {
        self.index(f)
            .and_then(|i| self.names.get(i))
            .map_or(aliases(f)[0], String::as_str)
    }

    pub(crate) fn width(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn is_items(&self) -> bool {
        self.items
    }
}
