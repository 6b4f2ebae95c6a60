// Kefu Desk workbench. Buyer text (nicks, messages, addresses, remarks) is hostile: it is
// only ever set with textContent, never as HTML.
"use strict";

const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;

const ROW_HEIGHT = 52;
const PAGE = 200;
const GROUPS = ["inquiry", "order", "shipped", "closed"];
const GROUP_LABEL = { inquiry: "咨询", order: "订单", shipped: "发货", closed: "成交" };
const STATUS_LABEL = {
  awaiting_payment: ["等待买家付款", 0], awaiting_shipment: ["买家已付款，等待卖家发货", 1],
  shipped: ["卖家已发货，等待买家确认", 2], trade_success: ["交易成功", 3], trade_closed: ["交易关闭", 3],
};

const $ = (id) => document.getElementById(id);
const state = { group: "order", counts: {}, pages: new Map(), total: 0, selected: -1, searchHits: null, detailNick: null };

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

async function call(cmd, args) {
  try {
    return await invoke(cmd, args);
  } catch (e) {
    const message = (e && e.message) || String(e);
    say(message, true);
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
  $("welcome").hidden = !o.empty;
  if (o.empty) $("load-demo").focus();
  return o;
}

function selectGroup(group) {
  state.group = group;
  state.searchHits = null;
  state.pages.clear();
  state.selected = -1;
  for (const b of document.querySelectorAll(".group")) b.classList.toggle("active", b.dataset.group === group);
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
    row.querySelector(".nick").textContent = b.nick;
    row.querySelector(".badge").textContent = b.returning ? "回头客" : "";
    const meta = row.querySelector(".meta");
    if (b.next_close_at) {
      const [text, cls] = timeLeft(b.next_close_at);
      meta.textContent = `${b.unpaid_count} 笔待付款 · ${text}`;
      if (cls) meta.classList.add(cls);
    } else {
      meta.textContent = `${b.order_count} 笔订单 · 最近下单 ${fmtTime(b.last_order_at)}` + (b.note ? ` · ${b.note}` : "");
    }
    frag.appendChild(row);
  });
  rows.replaceChildren(frag);
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
  if (b) showBuyer(b.nick);
}

async function showBuyer(nick) {
  state.detailNick = nick;
  const d = await call("buyer_detail", { nick });
  if (state.detailNick !== nick) return;
  renderDetail(d);
}

function renderDetail(d) {
  const box = $("detail");
  const parts = [];
  parts.push(el("h2", "buyer-nick", d.nick));
  parts.push(el("div", "sub", `${GROUP_LABEL[d.group]}组 · ${d.order_count} 笔订单${d.returning ? " · 回头客" : " · 新买家"}`));
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
    renderDetail(updated);
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
    closeBuyer();
    return;
  }
  if (typing) return;
  if (e.key === "/") { e.preventDefault(); $("search").focus(); return; }
  if (e.key === "o" && e.ctrlKey) { e.preventDefault(); pickAndImport(); return; }
  const n = "1234".indexOf(e.key);
  if (n >= 0) { selectGroup(GROUPS[n]); return; }
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
    $("import-summary").textContent = (e && e.message) || String(e);
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
  $("settings-error").textContent = "";
  $("settings-panel").hidden = false;
  $("set-agent").focus();
}

async function saveSettings(e) {
  e.preventDefault();
  const next = { ...currentSettings, agent: $("set-agent").value.trim(), auto_close_minutes: Number($("set-close").value) };
  try {
    const saved = await invoke("save_settings", { settings: next });
    $("agent").textContent = saved.agent;
    $("settings-panel").hidden = true;
    say("设置已保存");
  } catch (err) {
    $("settings-error").textContent = (err && err.message) || String(err);
  }
}

async function pickAndImport() {
  const paths = await call("pick_export_files");
  await runImport(paths, false);
}

async function reload() {
  await refreshOverview();
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
  $("settings-form").addEventListener("submit", saveSettings);
  $("settings-cancel").addEventListener("click", () => { $("settings-panel").hidden = true; });
  $("welcome-import").addEventListener("click", pickAndImport);
  $("import-cancel").addEventListener("click", () => invoke("cancel_import"));
  $("import-skip").addEventListener("click", () => runImport(lastImport, true));
  $("import-close").addEventListener("click", () => { $("import-panel").hidden = true; refreshOverview(); });
  await reload();
  await listening;
  document.body.dataset.ready = "1";
}

start().catch((e) => say((e && e.message) || String(e), true));
