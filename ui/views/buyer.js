// @ts-check
// The right-hand panel for a buyer: who serves it, its follow-ups, tags and note, and its
// orders. Everything here is buyer text and is set as text.

import { $, el, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { fmtTime, timeLeft, yuan } from "../lib/format.js";
import { state } from "../state.js";
import { GROUP_LABEL, STATUS_LABEL } from "../labels.js";
import { renderRows } from "./list.js";
import { conversationBox } from "./conversation.js";
import { byHandForm, followupCard } from "./followups.js";
import { openPhraseBox } from "./phrase-box.js";

/** @typedef {import("../lib/ipc.js").BuyerDetail} BuyerDetail */
/** @typedef {import("../lib/ipc.js").FollowUp} FollowUp */
/** @typedef {import("../lib/ipc.js").Order} Order */

/** @param {string} nick */
export async function showBuyer(nick) {
  state.detailNick = nick;
  // Opening a buyer assigned to me is the greeting that keeps it from being routed on.
  const me = state.me;
  const mine = me && state.open.find((c) => c.buyer_nick === nick && c.agent === me.name && c.opened_at === null);
  if (mine) {
    mine.opened_at = 0;
    ipc.greet(mine.id).catch(() => {});
  }
  const [d, followups] = await Promise.all([ipc.buyerDetail(nick), ipc.buyerFollowups(nick)]);
  if (state.detailNick !== nick) return;
  renderDetail(d, followups);
}

/**
 * @param {BuyerDetail} d
 * @param {FollowUp[]} followups
 */
function renderDetail(d, followups) {
  const parts = [];
  parts.push(el("h2", "buyer-nick", d.nick));
  parts.push(el("div", "sub", `${GROUP_LABEL[d.group]}组 · ${d.order_count} 笔订单${d.returning ? " · 回头客" : " · 新买家"}`));
  const phrases = el("button", "ghost small", "快捷短语 (p)");
  phrases.id = "open-phrases";
  phrases.title = "按编码、拼音首字母或文字找短语，填好买家和订单后复制";
  phrases.addEventListener("click", () => openPhraseBox());
  parts.push(phrases);
  const talk = conversationBox(d.nick);
  if (talk) parts.push(talk);
  const fu = el("section", "followups");
  fu.append(el("h3", null, followups && followups.length ? `待办 · ${followups.length}` : "待办"));
  for (const f of followups || []) fu.append(followupCard(f));
  fu.append(byHandForm(d.nick));
  parts.push(fu);
  const tags = el("div", "tags");
  for (const t of d.tags) tags.appendChild(el("span", "tag", t));
  parts.push(tags);
  parts.push(noteBox(d));
  for (const o of d.orders) parts.push(orderCard(o, d));
  // The agent may be typing: the field with the caret gets it back where it was.
  const active = document.activeElement;
  const typing = active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement
    ? { id: active.id, start: active.selectionStart, end: active.selectionEnd } : null;
  $("detail").replaceChildren(...parts);
  if (typing && (typing.id === "note" || typing.id === "tags")) {
    const f = /** @type {HTMLInputElement} */ (document.getElementById(typing.id));
    f.focus();
    f.setSelectionRange(typing.start, typing.end);
  }
}

/**
 * What the agent typed into a buyer's note and tags and has not saved, by nick, with the
 * version of the note it started from. It outlives every re-render of the panel (a new
 * inquiry, an import, a follow-up done elsewhere) and a switch to another buyer, until it
 * is saved or discarded.
 * @type {Map<string, {note: string, tags: string, read: number}>}
 */
const drafts = new Map();

/**
 * The note and tags, saved together (Ctrl+Enter) with the version they were read at. When
 * someone else saved since, both versions are shown and the agent chooses.
 * @param {BuyerDetail} d
 */
function noteBox(d) {
  const box = el("div", "note-box");
  const draft = drafts.get(d.nick);
  const note = el("textarea");
  note.id = "note";
  note.value = draft ? draft.note : d.note;
  note.placeholder = "备注（所有客服可见），例如：问过的宝贝、尺码";
  const tagInput = el("input");
  tagInput.id = "tags";
  tagInput.value = draft ? draft.tags : d.tags.join(" ");
  tagInput.placeholder = "标签，用空格分开：VIP 双11 …";
  const save = el("button", null, "保存备注和标签 (Ctrl+Enter)");
  save.id = "save-note";
  const discard = el("button", "quiet", "放弃修改");
  discard.id = "discard-note";
  discard.hidden = !draft;
  const by = el("span", "by", draft ? "未保存" : d.note_by ? `${d.note_by} · ${fmtTime(d.note_at)}` : "");
  const actions = el("div", "note-actions");
  actions.append(save, discard, by);
  box.append(note, tagInput, actions);
  if (draft && draft.read !== d.note_version) box.append(theirVersion(d, draft));

  const keep = () => {
    const read = drafts.get(d.nick)?.read ?? d.note_version;
    drafts.set(d.nick, { note: note.value, tags: tagInput.value, read });
    discard.hidden = false;
    by.textContent = "未保存";
  };
  note.addEventListener("input", keep);
  tagInput.addEventListener("input", keep);
  discard.addEventListener("click", () => { drafts.delete(d.nick); refreshBuyer(d.nick); });
  const doSave = async () => {
    const read = drafts.get(d.nick)?.read ?? d.note_version;
    const tags = tagInput.value.split(/\s+/).filter(Boolean);
    try {
      const updated = await ipc.saveNote(d.nick, note.value, tags, read);
      drafts.delete(d.nick);
      say("已保存");
      renderDetail(updated, await ipc.buyerFollowups(d.nick));
    } catch (e) {
      // Someone saved after this was read: keep what was typed and show theirs beside it.
      const err = /** @type {import("../lib/ipc.js").IpcError} */ (e);
      if (err && err.code === "conflict") {
        drafts.set(d.nick, { note: note.value, tags: tagInput.value, read });
        say("别人刚保存了这位买家的备注：请选择保留哪一份", true);
        refreshBuyer(d.nick);
      } else {
        say(ipc.problem(e), true);
      }
    }
  };
  save.addEventListener("click", doSave);
  box.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); doSave(); } });
  return box;
}

/**
 * The note and tags someone else saved while this PC's agent was typing, with the choice.
 * @param {BuyerDetail} d  as stored now
 * @param {{note: string, tags: string, read: number}} draft
 */
function theirVersion(d, draft) {
  const box = el("div", "note-conflict");
  box.id = "note-conflict";
  box.append(el("p", "why", `${d.note_by || "别人"} 在你输入时保存了新的备注${d.note_at ? `（${fmtTime(d.note_at)}）` : ""}：`));
  box.append(el("p", "theirs", d.note || "（空）"));
  if (d.tags.length) box.append(el("p", "theirs-tags", d.tags.join(" ")));
  const mine = el("button", null, "用我的覆盖");
  mine.id = "keep-mine";
  const theirs = el("button", "quiet", "用对方的");
  theirs.id = "take-theirs";
  mine.addEventListener("click", () => {
    draft.read = d.note_version;
    refreshBuyer(d.nick).then(() => /** @type {HTMLElement | null} */ (document.getElementById("save-note"))?.click());
  });
  theirs.addEventListener("click", () => { drafts.delete(d.nick); refreshBuyer(d.nick); });
  box.append(mine, theirs);
  return box;
}

/** Reads the buyer again and re-renders the panel (what was typed is kept). @param {string} nick */
async function refreshBuyer(nick) {
  const [d, followups] = await Promise.all([ipc.buyerDetail(nick), ipc.buyerFollowups(nick)]);
  if (state.detailNick === nick) renderDetail(d, followups);
}

/**
 * @param {Order} o
 * @param {BuyerDetail} d
 */
function orderCard(o, d) {
  const card = el("div", "order");
  card.dataset.order = o.no;
  const head = el("div", "head");
  const [label, stage] = STATUS_LABEL[o.status] || [o.status, 0];
  head.append(el("span", "no", o.no), el("span", `st s${stage}`, label));
  card.append(head, el("div", "title", o.title));
  const dl = el("dl");
  /** @param {string} k @param {string | null | undefined} v */
  const add = (k, v) => { if (v) dl.append(el("dt", null, k), el("dd", null, v)); };
  add("金额", `¥${yuan(o.total)}` + (o.postage ? `（含邮费 ¥${yuan(o.postage)}）` : ""));
  add("下单", fmtTime(o.created_at));
  add("付款", fmtTime(o.paid_at));
  add("发货", fmtTime(o.shipped_at));
  const closes = d.closes_at[o.no];
  if (closes) add("关闭", timeLeft(closes)[0]);
  add("买家留言", o.buyer_message);
  add("订单备注", o.seller_remark);
  add("收货", [o.receiver, o.phone, o.address].filter(Boolean).join(" "));
  add("物流单号", o.tracking_no);
  card.append(dl);
  return card;
}

export function closeBuyer() {
  state.detailNick = null;
  state.selected = -1;
  $("detail").replaceChildren(el("p", "placeholder", "选择左侧的买家查看订单、备注和标签"));
  renderRows();
}
