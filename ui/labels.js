// @ts-check
// Words the window shows for codes. The core sends some labels itself and those are shown
// as sent: a follow-up's kind (FollowUp.label), who serves a buyer and why
// (Conversation.reason, Routed.reason), an import problem (Problem.reason). These tables it
// does not send; GROUP_LABEL, STATUS_LABEL and BY_HAND repeat what kefu-core names
// (Group::label, OrderStatus::label and ::progress, the by-hand Kinds) and belong in its
// answers.

/** @type {Record<string, string>} */
export const GROUP_LABEL = { inquiry: "咨询", order: "订单", shipped: "发货", closed: "成交", agenda: "待办", team: "团队" };
/** @type {Record<string, string>} */
export const PRESENCE_LABEL = { online: "在线", suspended: "挂起", offline: "离线" };
/** @type {Record<string, string>} */
export const ROLE_LABEL = { main: "主账号", supervisor: "主管", agent: "客服" };
/** @type {Record<string, string>} */
export const URGENCY_LABEL = { overdue: "逾期", due: "到期", upcoming: "稍后" };
/** The follow-ups an agent adds by hand: kind code and what the menu says. */
export const BY_HAND = [["promised_answer", "承诺答复（24 小时内）"], ["refund_reply", "退款申请（5 天内处理）"], ["refund_reply_quick", "退款申请（2 天内处理）"], ["return_receipt", "退货待签收（10 天内）"]];
/** An order status's words and how far along the trade is (0–3, for its colour). @type {Record<string, [string, number]>} */
export const STATUS_LABEL = {
  awaiting_payment: ["等待买家付款", 0], awaiting_shipment: ["买家已付款，等待卖家发货", 1],
  shipped: ["卖家已发货，等待买家确认", 2], trade_success: ["交易成功", 3], trade_closed: ["交易关闭", 3],
};
/** The snooze menu: choice code and what its button says. */
export const SNOOZE = [["15m", "15 分钟后"], ["1h", "1 小时后 (z)"], ["tomorrow", "明天 9:00"]];
