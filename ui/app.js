// Kefu Desk workbench. Buyer text (nicks, messages, addresses, remarks) is hostile: it is
// only ever set with textContent, never as HTML.
"use strict";

const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;

const ROW_HEIGHT = 52;
const PAGE = 200;
const GROUPS = ["inquiry", "order", "shipped", "closed"];
const GROUP_LABEL = { inquiry: "咨询", order: "订单", shipped: "发货", closed: "成交", agenda: "待办", team: "团队" };
const PRESENCE_LABEL = { online: "在线", suspended: "挂起", offline: "离线" };
const ROLE_LABEL = { main: "主账号", supervisor: "主管", agent: "客服" };
const URGENCY_LABEL = { overdue: "逾期", due: "到期", upcoming: "稍后" };
const BY_HAND = [["promised_answer", "承诺答复（24 小时内）"], ["refund_reply", "退款申请（5 天内处理）"], ["refund_reply_quick", "退款申请（2 天内处理）"], ["return_receipt", "退货待签收（10 天内）"]];
const STATUS_LABEL = {
  awaiting_payment: ["等待买家付款", 0], awaiting_shipment: ["买家已付款，等待卖家发货", 1],
  shipped: ["卖家已发货，等待买家确认", 2], trade_success: ["交易成功", 3], trade_closed: ["交易关闭", 3],
};

const $ = (id) => document.getElementById(id);
const state = { group: "order", counts: {}, pages: new Map(), total: 0, selected: -1, searchHits: null, detailNick: null, agenda: [], team: [], me: null, open: [] };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function say(message, isError) {
  const s = $("status");
  s.textContent = message || "";
  s.classList.toggle("error", !!isError);
}

// What went wrong, for the agent. The database going away is said plainly in Chinese: the
// action did not happen and what was typed is still there (the detail follows for support).
function problem(e) {
  const message = (e && e.message) || String(e);
  if (e && e.code === "unavailable") return `数据库连不上，这一步没有保存；已输入的内容还在，连上后再试一次。（${message}）`;
  return message;
}

async function call(cmd, args) {
  try {
    return await invoke(cmd, args);
  } catch (e) {
    say(problem(e), true);
    throw e;
  }
}

const shopFmt = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});
const fmtTime = (iso) => (iso ? shopFmt.format(new Date(iso)) : "");
const yuan = (fen) => (fen / 100).toFixed(2);

function timeLeft(iso) {
  const ms = new Date(iso).getTime() - Date.now();
  if (ms <= 0) return ["已到自动关闭时间", "urgent"];
  const h = Math.floor(ms / 3600000), m = Math.floor((ms % 3600000) / 60000);
  const text = h >= 24 ? `还剩 ${Math.floor(h / 24)} 天 ${h % 24} 小时自动关闭` : h > 0 ? `还剩 ${h} 小时 ${m} 分自动关闭` : `还剩 ${m} 分钟自动关闭`;
  return [text, h < 3 ? "urgent" : h < 12 ? "soon" : ""];
}

async function refreshOverview() {
  const o = await call("overview");
  state.counts = o.counts;
  for (const g of GROUPS) $("count-" + g).textContent = o.counts[g];
  $("agent").textContent = o.agent;
  // The welcome card offers the demo shop once: put aside, it stays aside (a team shop can
  // be empty for a while, and the card coming back on every refresh covered the sign-in).
  if (!o.empty) {
    $("welcome").hidden = true;
  } else if (!state.welcomeOffered) {
    state.welcomeOffered = true;
    $("welcome").hidden = false;
    $("load-demo").focus();
  }
  return o;
}

// The agenda: overdue and due most urgent first, then what comes in the next 24 hours.
async function refreshAgenda() {
  const a = await call("agenda");
  // Chases lead whether overdue or just due: an unpaid order is lost at its close.
  const now = [...a.overdue, ...a.due];
  const closes = (f) => (f.expires_at ? Date.parse(f.expires_at) : Infinity);
  const chases = now.filter((f) => f.kind === "chase").sort((x, y) => closes(x) - closes(y));
  const items = [...chases, ...now.filter((f) => f.kind !== "chase"), ...a.upcoming];
  state.agenda = items;
  $("count-agenda").textContent = a.overdue.length + a.due.length;
  $("count-agenda").classList.toggle("hot", a.overdue.length + a.due.length > 0);
  if (state.group === "agenda" && !state.searchHits) {
    state.total = items.length;
    $("list-title").textContent = `待办 · 逾期 ${a.overdue.length} · 到期 ${a.due.length} · 24 小时内 ${a.upcoming.length}`;
    if (state.selected >= state.total) state.selected = state.total - 1;
    renderRows();
  }
  return a;
}

function selectGroup(group) {
  state.group = group;
  state.searchHits = null;
  state.pages.clear();
  state.selected = -1;
  for (const b of document.querySelectorAll(".group")) b.classList.toggle("active", b.dataset.group === group);
  if (group === "agenda") {
    state.total = state.agenda.length;
    $("buyer-list").scrollTop = 0;
    refreshAgenda();
    return;
  }
  if (group === "team") {
    state.total = state.team.length;
    $("buyer-list").scrollTop = 0;
    if (!state.me) $("list-title").textContent = "团队 · 登录子账号后可见";
    refreshTeam();
    return;
  }
  state.total = state.counts[group] || 0;
  $("list-title").textContent = `${GROUP_LABEL[group]}组 · ${state.total} 位买家` + (group === "order" ? " · 按自动关闭时间排序" : "");
  $("buyer-list").scrollTop = 0;
  renderRows();
}

async function page(index) {
  if (state.searchHits) return state.searchHits;
  if (!state.pages.has(index)) {
    const group = state.group;
    const p = call("list_buyers", { group, offset: index * PAGE, limit: PAGE });
    state.pages.set(index, p);
    p.catch(() => state.pages.delete(index));
  }
  return state.pages.get(index);
}

async function buyerAt(i) {
  if (state.searchHits) return state.searchHits[i];
  if (state.group === "agenda") return state.agenda[i];
  if (state.group === "team") return state.team[i];
  return (await page(Math.floor(i / PAGE)))[i % PAGE];
}

// Only the rows in view (plus a margin) exist in the DOM, so a group of hundreds of
// thousands of buyers scrolls like a group of ten.
let renderToken = 0;
async function renderRows() {
  const token = ++renderToken;
  const scroller = $("buyer-list"), rows = $("buyer-rows");
  rows.style.height = state.total * ROW_HEIGHT + "px";
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - 5);
  const last = Math.min(state.total, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW_HEIGHT) + 5);
  const wanted = [];
  for (let i = first; i < last; i++) wanted.push(buyerAt(i));
  let buyers;
  try { buyers = await Promise.all(wanted); } catch { return; }
  if (token !== renderToken) return;
  const frag = document.createDocumentFragment();
  buyers.forEach((b, k) => {
    if (!b) return;
    const i = first + k;
    const row = $("row-tpl").content.firstElementChild.cloneNode(true);
    row.style.top = i * ROW_HEIGHT + "px";
    row.dataset.index = i;
    row.dataset.nick = b.nick;
    row.classList.toggle("selected", i === state.selected);
    if (b.kind) { agendaRow(row, b); frag.appendChild(row); return; }
    if (b.role) { teamRow(row, b); frag.appendChild(row); return; }
    row.querySelector(".nick").textContent = b.nick;
    row.querySelector(".badge").textContent = b.returning ? "回头客" : "";
    const meta = row.querySelector(".meta");
    if (b.next_close_at) {
      const [text, cls] = timeLeft(b.next_close_at);
      meta.textContent = `${b.unpaid_count} 笔待付款 · ${text}`;
      if (cls) meta.classList.add(cls);
    } else {
      meta.textContent = (b.order_count ? `${b.order_count} 笔订单 · 最近下单 ${fmtTime(b.last_order_at)}` : "新咨询 · 还没有订单") + (b.note ? ` · ${b.note}` : "");
    }
    frag.appendChild(row);
  });
  rows.replaceChildren(frag);
}

function teamRow(row, m) {
  row.querySelector(".nick").textContent = `${m.name} · ${ROLE_LABEL[m.role]}`;
  const badge = row.querySelector(".badge");
  badge.textContent = PRESENCE_LABEL[m.presence];
  badge.className = `badge p-${m.presence}`;
  row.querySelector(".meta").textContent = m.role === "main" ? `接待 ${m.load} · 子账号全部离线时接待` :
    `接待 ${m.load}/${m.max_load} · 权重 ${m.weight}` + (m.in_routing ? "" : " · 不参与分流");
}

// The team: accounts with presence and load, and the queue. Signed-in accounts only.
async function refreshTeam() {
  const me = await call("account");
  state.me = me;
  $("sign-in").textContent = me ? `${me.name} · ${ROLE_LABEL[me.role]}` : "登录";
  $("state").hidden = !me;
  if (!me) { state.team = []; state.open = []; $("count-team").textContent = "0"; return; }
  const [team, open] = await Promise.all([call("team"), call("conversations", { all: true })]);
  state.team = team;
  state.open = open;
  const mine = team.find((m) => m.name === me.name);
  if (mine) $("state").value = mine.state;
  // New buyers assigned to me and not yet opened: they move on after 30 s.
  const fresh = open.filter((c) => c.agent === me.name && c.opened_at === null);
  $("new-buyers").hidden = fresh.length === 0;
  $("new-buyers").textContent = `新买家 ${fresh.length} 位待接待：${fresh.map((c) => c.buyer_nick).slice(0, 3).join("、")}`;
  $("new-buyers").dataset.nick = fresh.length ? fresh[0].buyer_nick : "";
  $("count-team").textContent = team.filter((m) => m.presence === "online").length;
  if (state.group === "team" && !state.searchHits) {
    state.total = team.length;
    $("list-title").textContent = `团队 · 在线 ${team.filter((m) => m.presence === "online").length} · 挂起 ${team.filter((m) => m.presence === "suspended").length} · 接待中 ${open.length}`;
    renderRows();
  }
}

function renderMember(m) {
  const parts = [el("h2", "buyer-nick", m.name), el("div", "sub", `${ROLE_LABEL[m.role]} · ${PRESENCE_LABEL[m.presence]} · 接待 ${m.load}/${m.max_load}`)];
  if (state.me && state.me.role !== "agent" && m.name !== state.me.name) {
    const actions = el("div", "fu-actions");
    for (const [st, label] of [["online", "设为在线"], ["suspended", "设为挂起"], ["offline", "设为离线"]]) {
      const b = el("button", "ghost", label);
      b.dataset.state = st;
      b.addEventListener("click", async () => {
        await call("set_state", { target: m.name, state: st });
        say(`${m.name} 已${PRESENCE_LABEL[st]}`);
        await refreshTeam();
      });
      actions.append(b);
    }
    parts.push(actions);
  }
  const list = el("section", "followups");
  list.append(el("h3", null, "接待中的买家"));
  for (const c of state.open.filter((c) => c.agent === m.name)) list.append(el("div", "fu-sub", `${c.buyer_nick} · ${c.reason}`));
  parts.push(list);
  $("detail").replaceChildren(...parts);
}

function agendaRow(row, f) {
  row.querySelector(".nick").textContent = `${f.label} · ${f.nick}`;
  const badge = row.querySelector(".badge");
  badge.textContent = URGENCY_LABEL[f.urgency];
  badge.className = `badge u-${f.urgency}`;
  const meta = row.querySelector(".meta");
  const bits = [`${fmtTime(f.due_at)} ${f.snoozed_until ? "稍后提醒" : "到期"}`];
  if (f.amount) bits.push(`¥${yuan(f.amount)}`);
  if (f.kind === "chase" && f.expires_at) {
    const [text, cls] = timeLeft(f.expires_at);
    bits.push(text);
    if (cls) meta.classList.add(cls);
  } else if (f.expires_at) bits.push(`截止 ${fmtTime(f.expires_at)}`);
  if (f.note) bits.push(f.note);
  meta.textContent = bits.join(" · ");
}

async function select(i) {
  if (i < 0 || i >= state.total) return;
  state.selected = i;
  const b = await buyerAt(i);
  const scroller = $("buyer-list");
  const top = i * ROW_HEIGHT;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + ROW_HEIGHT > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + ROW_HEIGHT - scroller.clientHeight;
  renderRows();
  if (b && b.role) { state.detailNick = null; renderMember(b); return; }
  if (b) showBuyer(b.nick);
}

async function showBuyer(nick) {
  state.detailNick = nick;
  // Opening a buyer assigned to me is the greeting that keeps it from being routed on.
  const mine = state.me && state.open.find((c) => c.buyer_nick === nick && c.agent === state.me.name && c.opened_at === null);
  if (mine) {
    mine.opened_at = 0;
    call("greet", { id: mine.id }).catch(() => {});
  }
  const [d, followups] = await Promise.all([call("buyer_detail", { nick }), call("buyer_followups", { nick })]);
  if (state.detailNick !== nick) return;
  renderDetail(d, followups);
}

// The copy falls back to a selection copy where the clipboard API is not offered.
async function copyText(text, area) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    area.select();
    document.execCommand("copy");
  }
  say("话术已复制，可以粘贴到旺旺");
}

async function actOn(id, action, choice) {
  if (action === "done") await call("done_followup", { id });
  else await call("snooze_followup", { id, choice });
  say(action === "done" ? "已完成" : "已推迟提醒");
  await refreshAgenda();
  if (state.detailNick) showBuyer(state.detailNick);
}

function followupCard(f) {
  const card = el("div", `followup u-${f.urgency}`);
  card.dataset.id = f.id;
  const head = el("div", "head");
  head.append(el("span", "fu-kind", f.label), el("span", `fu-when u-${f.urgency}`, `${URGENCY_LABEL[f.urgency]} · ${fmtTime(f.due_at)}`));
  card.append(head);
  if (f.kind === "chase" && f.expires_at) card.append(el("div", "fu-sub", `${f.orders.length} 笔订单 · ¥${yuan(f.amount)} · ${timeLeft(f.expires_at)[0]}`));
  else if (f.expires_at) card.append(el("div", "fu-sub", `截止 ${fmtTime(f.expires_at)}`));
  if (f.note) card.append(el("div", "fu-sub", f.note));
  const text = el("textarea", "fu-text");
  text.readOnly = true;
  text.value = f.text;
  text.rows = 3;
  const actions = el("div", "fu-actions");
  const copy = el("button", "primary", "复制话术 (c)");
  copy.dataset.act = "copy";
  copy.addEventListener("click", () => copyText(f.text, text));
  const done = el("button", "ghost", "完成 (d)");
  done.dataset.act = "done";
  done.addEventListener("click", () => actOn(f.id, "done"));
  actions.append(copy, done);
  for (const [choice, label] of [["15m", "15 分钟后"], ["1h", "1 小时后 (z)"], ["tomorrow", "明天 9:00"]]) {
    const b = el("button", "ghost", label);
    b.dataset.act = "snooze-" + choice;
    b.addEventListener("click", () => actOn(f.id, "snooze", choice));
    actions.append(b);
  }
  card.append(text, actions);
  return card;
}

function byHandForm(nick) {
  const form = el("form", "by-hand");
  const kind = el("select");
  kind.id = "by-hand-kind";
  for (const [code, label] of BY_HAND) {
    const o = el("option", null, label);
    o.value = code;
    kind.append(o);
  }
  const note = el("input");
  note.id = "by-hand-note";
  note.maxLength = 500;
  note.placeholder = "要核实的问题 / 退款单说明";
  const add = el("button", "ghost", "加入待办");
  form.append(kind, note, add);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    await call("add_followup", { nick, kind: kind.value, order: null, note: note.value });
    say("已加入待办");
    await refreshAgenda();
    showBuyer(nick);
  });
  return form;
}

// Who serves this buyer and why; the serving agent can end the conversation or pass it on.
function conversationBox(nick) {
  const c = state.open.find((c) => c.buyer_nick === nick);
  if (!c) return null;
  const box = el("section", "conversation");
  box.append(el("div", "fu-sub", `接待：${c.agent} · ${c.reason}`));
  if (c.asked) box.append(el("div", "fu-sub", `咨询：${c.asked}`));
  if (state.me && c.agent === state.me.name) {
    const actions = el("div", "fu-actions");
    const end = el("button", "ghost", "结束会话 (Esc)");
    end.id = "end-conversation";
    end.addEventListener("click", async () => {
      await call("close_conversation", { nick });
      say("会话已结束");
      await refreshTeam();
      showBuyer(nick);
    });
    const to = el("select");
    to.id = "transfer-to";
    for (const m of state.team.filter((m) => m.presence === "online" && m.name !== state.me.name && m.role !== "main")) {
      const o = el("option", null, `${m.name}（${m.load}/${m.max_load}）`);
      o.value = m.name;
      to.append(o);
    }
    if (!to.options.length) {
      const none = el("option", null, "没有在线的同事");
      none.value = "";
      to.append(none);
    }
    const note = el("input");
    note.placeholder = "转交备注";
    note.maxLength = 200;
    const pass = el("button", "ghost", "转交");
    pass.addEventListener("click", async () => {
      if (!to.value) { say("没有在线的同事可以转交", true); return; }
      const r = await call("transfer", { nick, to: to.value, note: note.value });
      say(r.reason);
      await refreshTeam();
      showBuyer(nick);
    });
    actions.append(end, to, note, pass);
    box.append(actions);
  }
  return box;
}

function renderDetail(d, followups) {
  const box = $("detail");
  const parts = [];
  parts.push(el("h2", "buyer-nick", d.nick));
  parts.push(el("div", "sub", `${GROUP_LABEL[d.group]}组 · ${d.order_count} 笔订单${d.returning ? " · 回头客" : " · 新买家"}`));
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

  const noteBox = el("div", "note-box");
  const note = el("textarea");
  note.id = "note";
  note.value = d.note;
  note.placeholder = "备注（所有客服可见），例如：问过的宝贝、尺码";
  const tagInput = el("input");
  tagInput.id = "tags";
  tagInput.value = d.tags.join(" ");
  tagInput.placeholder = "标签，用空格分开：VIP 双11 …";
  const save = el("button", null, "保存备注和标签 (Ctrl+Enter)");
  save.id = "save-note";
  const by = el("span", "by", d.note_by ? `${d.note_by} · ${fmtTime(d.note_at)}` : "");
  const actions = el("div", "note-actions");
  actions.append(save, by);
  noteBox.append(note, tagInput, actions);
  const doSave = async () => {
    await call("set_note", { nick: d.nick, note: note.value });
    const updated = await call("set_tags", { nick: d.nick, tags: tagInput.value.split(/\s+/).filter(Boolean) });
    say("已保存");
    renderDetail(updated, await call("buyer_followups", { nick: d.nick }));
  };
  save.addEventListener("click", doSave);
  noteBox.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); doSave(); } });
  parts.push(noteBox);

  for (const o of d.orders) {
    const card = el("div", "order");
    card.dataset.order = o.no;
    const head = el("div", "head");
    const [label, stage] = STATUS_LABEL[o.status] || [o.status, 0];
    head.append(el("span", "no", o.no), el("span", `st s${stage}`, label));
    card.append(head, el("div", "title", o.title));
    const dl = el("dl");
    const add = (k, v) => { if (v) dl.append(el("dt", null, k), el("dd", null, v)); };
    add("金额", `¥${yuan(o.total)}` + (o.postage ? `（含邮费 ¥${yuan(o.postage)}）` : ""));
    add("下单", fmtTime(o.created_at));
    add("付款", fmtTime(o.paid_at));
    add("发货", fmtTime(o.shipped_at));
    if (o.status === "awaiting_payment" && d.next_close_at) add("关闭", timeLeft(d.next_close_at)[0]);
    add("买家留言", o.buyer_message);
    add("订单备注", o.seller_remark);
    add("收货", [o.receiver, o.phone, o.address].filter(Boolean).join(" "));
    add("物流单号", o.tracking_no);
    card.append(dl);
    parts.push(card);
  }
  box.replaceChildren(...parts);
}

function closeBuyer() {
  state.detailNick = null;
  state.selected = -1;
  $("detail").replaceChildren(el("p", "placeholder", "选择左侧的买家查看订单、备注和标签"));
  renderRows();
}

let searchTimer = 0;
function onSearch() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = $("search").value.trim();
    if (!q) { selectGroup(state.group); return; }
    const hits = await call("search", { query: q });
    state.searchHits = hits;
    state.total = hits.length;
    state.selected = -1;
    $("list-title").textContent = `搜索“${q}” · ${hits.length} 个结果`;
    for (const b of document.querySelectorAll(".group")) b.classList.remove("active");
    renderRows();
  }, 120);
}

function onKey(e) {
  const typing = e.target.matches("input, textarea");
  if (e.key === "Escape") {
    if (typing) { e.target.blur(); if (e.target.id === "search" && e.target.value) { e.target.value = ""; onSearch(); } return; }
    // Esc ends the signed-in agent's conversation with the buyer shown (as in Qianniu),
    // otherwise closes the panel.
    const end = document.getElementById("end-conversation");
    if (end) { end.click(); return; }
    closeBuyer();
    return;
  }
  if (typing) return;
  if (e.key === "/") { e.preventDefault(); $("search").focus(); return; }
  if (e.key === "o" && e.ctrlKey) { e.preventDefault(); pickAndImport(); return; }
  const n = "1234".indexOf(e.key);
  if (n >= 0) { selectGroup(GROUPS[n]); return; }
  if (e.key === "5") { selectGroup("agenda"); return; }
  if (e.key === "6") { selectGroup("team"); return; }
  if (e.key === "n") { e.preventDefault(); openInquiry(); return; }
  // On a follow-up: copy its text, mark it done, or snooze it for an hour.
  const card = document.querySelector("#detail .followup");
  if (card && "cdz".includes(e.key)) {
    const act = { c: "copy", d: "done", z: "snooze-1h" }[e.key];
    const b = card.querySelector(`[data-act="${act}"]`);
    if (b) { e.preventDefault(); b.click(); }
    return;
  }
  if (e.key === "ArrowDown" || e.key === "j") { e.preventDefault(); select(state.selected + 1); }
  if (e.key === "ArrowUp" || e.key === "k") { e.preventDefault(); select(Math.max(0, state.selected - 1)); }
}

// Import: from the file dialog, the welcome card or a file dropped on the window.
let lastImport = null;
async function runImport(paths, skipBad) {
  if (!paths || paths.length === 0) return;
  lastImport = paths;
  $("welcome").hidden = true;
  $("import-panel").hidden = false;
  $("import-title").textContent = "正在导入…";
  $("import-summary").textContent = paths.join("\n");
  $("import-problems").replaceChildren();
  $("import-progress").value = 0;
  $("import-cancel").hidden = false;
  $("import-skip").hidden = true;
  $("import-close").hidden = true;
  let report;
  try {
    report = await invoke("import_files", { paths, skipBad: !!skipBad });
  } catch (e) {
    $("import-title").textContent = e && e.code === "cancelled" ? "已取消，没有写入任何数据" : "无法导入";
    $("import-summary").textContent = problem(e);
    $("import-cancel").hidden = true;
    $("import-close").hidden = false;
    $("import-close").focus();
    return;
  }
  $("import-progress").value = 1;
  $("import-cancel").hidden = true;
  $("import-close").hidden = false;
  if (report.written) {
    $("import-title").textContent = "导入完成";
    $("import-summary").textContent = `读取 ${report.rows} 行：新增 ${report.new}，更新 ${report.updated}，未变 ${report.unchanged}，拒绝 ${report.rejected}` +
      (report.items || report.items_skipped ? `；商品明细 ${report.items} 条` : "");
  } else {
    $("import-title").textContent = `有 ${report.rejected} 行无法导入，没有写入任何数据`;
    $("import-summary").textContent = "请修正下列问题后重新导入，或只导入正确的行：";
    $("import-skip").hidden = false;
  }
  const items = report.problems.slice(0, 500).map((p) => {
    const li = el("li");
    li.append(el("span", "where", `${p.file.split("/").pop()} 第 ${p.line} 行${p.column ? ` ·「${p.column}」` : ""}`), document.createTextNode(`：${p.reason}${p.value ? `（${p.value}）` : ""}`));
    return li;
  });
  $("import-problems").replaceChildren(...items);
  $(report.written ? "import-close" : "import-skip").focus();
}

let currentSettings = null;
async function openSettings() {
  currentSettings = await call("get_settings");
  $("set-agent").value = currentSettings.agent;
  $("set-close").value = currentSettings.auto_close_minutes;
  $("set-db").value = currentSettings.db_url;
  $("set-lock").checked = currentSettings.suspend_when_locked;
  $("settings-error").textContent = "";
  $("settings-panel").hidden = false;
  $("set-agent").focus();
}

async function saveSettings(e) {
  e.preventDefault();
  const next = { ...currentSettings, agent: $("set-agent").value.trim(), auto_close_minutes: Number($("set-close").value), db_url: $("set-db").value.trim(), suspend_when_locked: $("set-lock").checked };
  try {
    const saved = await invoke("save_settings", { settings: next });
    $("agent").textContent = saved.agent;
    $("settings-panel").hidden = true;
    say("设置已保存");
  } catch (err) {
    $("settings-error").textContent = problem(err);
  }
}

function openInquiry() {
  $("inquiry-result").textContent = "";
  $("inquiry-panel").hidden = false;
  $("inquiry-nick").focus();
}

async function submitInquiry(e) {
  e.preventDefault();
  try {
    const r = await invoke("new_inquiry", { nick: $("inquiry-nick").value.trim(), asked: $("inquiry-asked").value });
    $("inquiry-result").textContent = r.agent ? `已分配给 ${r.agent}：${r.reason}` : r.reason;
    $("inquiry-nick").value = "";
    $("inquiry-asked").value = "";
    await refreshTeam();
  } catch (err) {
    $("inquiry-result").textContent = problem(err);
  }
}

async function submitSignIn(e) {
  e.preventDefault();
  try {
    const me = await invoke("sign_in", { name: $("sign-in-name").value.trim(), password: $("sign-in-password").value });
    $("sign-in-password").value = "";
    $("sign-in-panel").hidden = true;
    say(`${me.name} 已登录，在线接待`);
    await refreshOverview();
    await refreshTeam();
  } catch (err) {
    $("sign-in-error").textContent = problem(err);
  }
}

async function pickAndImport() {
  const paths = await call("pick_export_files");
  await runImport(paths, false);
}

// Another process changed the database: refresh what is shown, keeping the group, the
// scroll position and the open buyer (an agent may be typing a note there).
let quietTimer = 0;
function refreshQuietly() {
  clearTimeout(quietTimer);
  quietTimer = setTimeout(async () => {
    await refreshOverview();
    await refreshAgenda();
    await refreshTeam();
    if (!state.searchHits && GROUPS.includes(state.group)) {
      state.pages.clear();
      state.total = state.counts[state.group] || 0;
      $("list-title").textContent = `${GROUP_LABEL[state.group]}组 · ${state.total} 位买家` + (state.group === "order" ? " · 按自动关闭时间排序" : "");
      renderRows();
    }
  }, 150);
}

async function reload() {
  await refreshOverview();
  await refreshAgenda();
  await refreshTeam();
  if (state.searchHits) onSearch(); else selectGroup(state.group);
  if (state.detailNick) showBuyer(state.detailNick);
}

async function start() {
  for (const b of document.querySelectorAll(".group")) b.addEventListener("click", () => selectGroup(b.dataset.group));
  $("buyer-rows").addEventListener("click", (e) => {
    const row = e.target.closest(".row");
    if (row) select(Number(row.dataset.index));
  });
  $("buyer-list").addEventListener("scroll", () => requestAnimationFrame(renderRows), { passive: true });
  $("search").addEventListener("input", onSearch);
  document.addEventListener("keydown", onKey);
  $("load-demo").addEventListener("click", async () => {
    $("load-demo").disabled = true;
    try {
      const r = await call("load_demo");
      say(`演示店铺已载入：${r.new} 笔订单`);
    } finally {
      $("load-demo").disabled = false;
    }
    await reload();
  });
  // Show the workbench first; the listeners register alongside.
  const listening = Promise.all([
    listen("desk://changed", () => reload()),
    listen("desk://agenda", () => refreshAgenda()),
    listen("desk://team", () => { refreshTeam(); refreshOverview(); }),
    listen("desk://external", () => refreshQuietly()),
    // The database stopped answering (a team database on another machine, most often):
    // say so until it is back; what the agent typed stays in its box.
    listen("desk://connection", (e) => {
      const c = e.payload;
      $("connection").hidden = c.ok;
      $("connection").textContent = c.ok ? "" : `数据库连接中断，正在自动重试；已输入的内容不会丢失。（${c.message}）`;
      if (c.ok) say("数据库已重新连接");
    }),
    listen("import://progress", (e) => {
      const p = e.payload;
      $("import-progress").value = p.total ? p.done / p.total : 0;
      $("import-title").textContent = p.stage === "read" ? "正在读取文件…" : `正在写入 ${p.done} / ${p.total}`;
    }),
    listen("tauri://drag-enter", () => document.body.classList.add("dropping")),
    listen("tauri://drag-leave", () => document.body.classList.remove("dropping")),
    listen("tauri://drag-drop", (e) => {
      document.body.classList.remove("dropping");
      runImport(e.payload.paths, false);
    }),
  ]);
  $("import").addEventListener("click", pickAndImport);
  $("agent").addEventListener("click", openSettings);
  $("new-inquiry").addEventListener("click", openInquiry);
  $("new-buyers").addEventListener("click", () => { if ($("new-buyers").dataset.nick) showBuyer($("new-buyers").dataset.nick); });
  $("inquiry-form").addEventListener("submit", submitInquiry);
  $("inquiry-cancel").addEventListener("click", () => { $("inquiry-panel").hidden = true; });
  $("sign-in").addEventListener("click", () => { $("sign-in-error").textContent = ""; $("sign-in-panel").hidden = false; $("sign-in-name").focus(); });
  $("sign-in-form").addEventListener("submit", submitSignIn);
  $("sign-in-cancel").addEventListener("click", () => { $("sign-in-panel").hidden = true; });
  $("state").addEventListener("change", async () => {
    // The team panel may refresh the select with what another PC last saw while this
    // change is on its way: say what was chosen.
    const chosen = $("state").value;
    await call("set_state", { target: null, state: chosen });
    say(`已${PRESENCE_LABEL[chosen]}`);
    await refreshTeam();
  });
  $("settings-form").addEventListener("submit", saveSettings);
  $("settings-cancel").addEventListener("click", () => { $("settings-panel").hidden = true; });
  $("welcome-import").addEventListener("click", pickAndImport);
  $("import-cancel").addEventListener("click", () => invoke("cancel_import"));
  $("import-skip").addEventListener("click", () => runImport(lastImport, true));
  $("import-close").addEventListener("click", () => { $("import-panel").hidden = true; refreshOverview(); });
  await reload();
  await listening;
  // Due becomes overdue and upcoming becomes due with time alone.
  setInterval(() => refreshAgenda().catch(() => {}), 60000);
  document.body.dataset.ready = "1";
}

start().catch((e) => say((e && e.message) || String(e), true));
