// @ts-check
// 短语: the shop's phrase set and the agent's own, by group, to edit, reorder, move between
// groups, import and export. The shop's set is edited by a supervisor or the main account
// (the core refuses anyone else; this view only hides what would be refused). Each edit
// carries the version read, so an edit made elsewhere meanwhile is refused, not overwritten.
// Phrase text is set as text.

import { $, el, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { state } from "../state.js";

/** @typedef {import("../lib/ipc.js").PhraseBook} PhraseBook */
/** @typedef {import("../lib/ipc.js").PhraseSet} PhraseSet */
/** @typedef {import("../lib/ipc.js").PhraseEdit} PhraseEdit */
/** @typedef {import("../lib/ipc.js").PhraseImport} PhraseImport */

const view = {
  /** the form that was open at the last render (index or "new"), to keep its typing */
  /** @type {number | "new" | null} */ shownForm: null,
  /** @type {PhraseSet} */ set: "shop",
  /** @type {import("../lib/ipc.js").PhraseSets | null} */ sets: null,
  /** the row being edited (an index), "new" for a new phrase, or null */
  /** @type {number | "new" | null} */ editing: null,
  /** insert the new phrase here instead of adding it at the end of its group */
  /** @type {number | null} */ insertAt: null,
  /** @type {number} */ selected: -1,
  /** @type {string} */ error: "",
  /** @type {{path: string, report: PhraseImport} | null} the last import that wrote nothing */ pending: null,
};

const book = () => /** @type {PhraseBook} */ (view.sets?.[view.set]);
const mayEdit = () => view.set === "personal" || !!view.sets?.may_edit_shop;

export async function refreshPhrases() {
  if (state.group !== "phrases") return;
  view.sets = await ipc.phraseSets();
  render();
}

/** Applies one edit; on a refusal the form stays as typed, with the reason beside it. @param {PhraseEdit} edit */
async function apply(edit) {
  try {
    const saved = await ipc.editPhrases(view.set, book().version, edit);
    if (view.sets) view.sets[view.set] = saved;
    view.editing = null;
    view.insertAt = null;
    view.error = "";
    render();
    return true;
  } catch (e) {
    view.error = ipc.problem(e);
    // A set changed elsewhere: read it again, keeping the form as typed.
    if (/** @type {any} */ (e)?.code === "conflict") view.sets = await ipc.phraseSets();
    render();
    return false;
  }
}

/** @param {number | "new"} at */
function form(at) {
  const p = at === "new" ? { group: groupOf(view.insertAt), code: "", text: "" } : book().phrases[at];
  const f = el("form", "ph-form");
  const group = el("input"); group.value = p.group; group.maxLength = 20; group.placeholder = "分组"; group.id = "ph-edit-group";
  const code = el("input"); code.value = p.code; code.maxLength = 32; code.placeholder = "快捷编码"; code.id = "ph-edit-code"; code.required = true;
  const text = el("textarea"); text.value = p.text; text.maxLength = 2000; text.id = "ph-edit-text"; text.required = true;
  text.placeholder = "短语内容：可用 {买家} {客服} {店铺} {订单号} {金额} {关闭时间} {物流单号} {宝贝}，{?尺码} 在复制时询问";
  const save = el("button", "primary", "保存 (Ctrl+Enter)"); save.type = "submit";
  const cancel = el("button", "ghost", "取消"); cancel.type = "button";
  cancel.addEventListener("click", () => { view.editing = null; view.insertAt = null; view.error = ""; render(); });
  f.addEventListener("submit", (e) => {
    e.preventDefault();
    const phrase = { group: group.value.trim(), code: code.value.trim(), text: text.value };
    if (at !== "new") apply({ op: "edit", at, phrase });
    else if (view.insertAt !== null) apply({ op: "insert", at: view.insertAt, phrase });
    else apply({ op: "add", phrase });
  });
  f.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); f.requestSubmit(); }
    if (e.key === "Escape") { e.preventDefault(); cancel.click(); }
  });
  const fields = el("div", "ph-fields");
  fields.append(group, code);
  f.append(fields, text, el("p", "error-text", view.error), el("div", "actions"));
  /** @type {HTMLElement} */ (f.lastChild).append(save, cancel);
  return f;
}

/** The set's positions by group, in the order the groups first appear: what is shown. */
function byGroup() {
  /** @type {Map<string, number[]>} */
  const groups = new Map();
  book().phrases.forEach((p, i) => { if (!groups.has(p.group)) groups.set(p.group, []); groups.get(p.group)?.push(i); });
  return groups;
}

/** Moves a phrase within its group; the selection follows it. @param {number} at @param {"up" | "down"} op */
async function move(at, op) {
  const code = book().phrases[at].code;
  if (await apply({ op, at })) {
    view.selected = book().phrases.findIndex((p) => p.code === code);
    render();
  }
}

/** @param {number | null} at */
const groupOf = (at) => (at !== null && book().phrases[at]) ? book().phrases[at].group : "";

/** @param {number} i */
function row(i) {
  const p = book().phrases[i];
  const r = el("li", i === view.selected ? "ph-row selected" : "ph-row");
  r.dataset.index = String(i);
  r.tabIndex = -1;
  if (view.editing === i) { r.append(form(i)); return r; }
  r.append(el("span", "ph-code", p.code), el("span", "ph-text", p.text));
  if (!mayEdit()) return r;
  const acts = el("span", "ph-acts");
  /** @param {string} label @param {string} title @param {() => void} go */
  const act = (label, title, go) => {
    const b = el("button", "ghost small", label);
    b.title = title;
    b.addEventListener("click", (e) => { e.stopPropagation(); view.selected = i; go(); });
    return b;
  };
  const groups = [...new Set(book().phrases.map((q) => q.group))].filter((g) => g !== p.group);
  const toGroup = el("select", "ph-move");
  toGroup.title = "移到分组";
  toGroup.append(el("option", null, "移到…"), ...groups.map((g) => { const o = el("option", null, g); o.value = g; return o; }));
  toGroup.addEventListener("change", () => { if (toGroup.value) apply({ op: "to_group", at: i, group: toGroup.value }); });
  acts.append(
    act("↑", "上移 (Alt+↑)", () => move(i, "up")),
    act("↓", "下移 (Alt+↓)", () => move(i, "down")),
    act("编辑", "编辑 (e)", () => { view.editing = i; view.error = ""; render(); }),
    act("插入", "在这一条前插入 (i)", () => { view.editing = "new"; view.insertAt = i; view.error = ""; render(); }),
    toGroup,
    act("删除", "删除 (Delete)", () => remove(i)),
  );
  r.append(acts);
  return r;
}

/** @param {number} i */
function remove(i) {
  const p = book().phrases[i];
  if (confirm(`删除短语“${p.code}”？`)) apply({ op: "delete", at: i });
}

function render() {
  const root = $("phrases");
  if (!view.sets) { root.replaceChildren(el("p", "placeholder", "正在读取短语…")); return; }
  const bar = el("div", "sch-bar");
  for (const s of /** @type {PhraseSet[]} */ (["shop", "personal"])) {
    const tab = el("button", view.set === s ? "primary" : "ghost", s === "shop" ? `店铺短语 · ${view.sets.shop.phrases.length}` : `我的短语 · ${view.sets.personal.phrases.length}`);
    tab.dataset.set = s;
    tab.addEventListener("click", () => { view.set = s; view.editing = null; view.selected = -1; view.pending = null; render(); });
    bar.append(tab);
  }
  bar.append(el("span", "sch-gap"));
  const add = el("button", "ghost", "新增短语 (a)");
  add.id = "ph-add";
  add.addEventListener("click", () => { view.editing = "new"; view.insertAt = null; view.error = ""; render(); });
  const imp = el("button", "ghost", "导入…");
  imp.addEventListener("click", async () => { const path = await ipc.pickPhraseFile(); if (path) importFile(path, null, false); });
  const exp = el("button", "ghost", "导出…");
  exp.addEventListener("click", async () => {
    try {
      const file = await ipc.exportPhrases(view.set);
      if (file) say(`已导出到 ${file}`);
    } catch (e) { say(ipc.problem(e), true); }
  });
  if (mayEdit()) bar.append(add, imp);
  bar.append(exp);
  const parts = [bar];
  if (!mayEdit()) parts.push(el("p", "ph-note", "店铺短语由主管或主账号维护；你可以在“我的短语”里添加自己的。"));
  parts.push(el("p", "ph-note", "在买家面板按 p 打开快捷短语框：输入编码、拼音首字母或文字，Enter 复制。"));
  if (view.pending) parts.push(importReport(view.pending));
  if (view.editing === "new" && view.insertAt === null) parts.push(form("new"));
  else if (view.error && view.editing === null) parts.push(el("p", "error-text", view.error));
  // By group, in the order the groups first appear; positions stay the set's own.
  for (const [name, at] of byGroup()) {
    const section = el("section", "ph-groupbox");
    section.append(el("h3", null, `${name} · ${at.length}`));
    const list = el("ol", "ph-rows");
    for (const i of at) {
      if (view.editing === "new" && view.insertAt === i) {
        const li = el("li", "ph-row editing");
        li.append(form("new"));
        list.append(li);
      }
      list.append(row(i));
    }
    section.append(list);
    parts.push(section);
  }
  // A refresh (this PC's own change event, another PC's edit) re-renders the view: what is
  // being typed in the open form stays, with the caret where it was.
  const ids = ["ph-edit-group", "ph-edit-code", "ph-edit-text"];
  const sameForm = view.shownForm !== null && view.shownForm === view.editing;
  const typed = ids.map((id) => (sameForm ? /** @type {HTMLInputElement | null} */ (document.getElementById(id))?.value : undefined));
  view.shownForm = view.editing;
  const active = /** @type {HTMLInputElement | null} */ (document.activeElement);
  const caret = active && ids.includes(active.id) ? { id: active.id, start: active.selectionStart, end: active.selectionEnd } : null;
  root.replaceChildren(...parts);
  ids.forEach((id, i) => {
    const f = /** @type {HTMLInputElement | null} */ (document.getElementById(id));
    if (f && typed[i] !== undefined) f.value = /** @type {string} */ (typed[i]);
  });
  if (caret) {
    const f = /** @type {HTMLInputElement} */ (document.getElementById(caret.id));
    f?.focus();
    f?.setSelectionRange(caret.start, caret.end);
  } else {
    /** @type {HTMLElement | null} */ (root.querySelector("#ph-edit-code"))?.focus();
  }
}

/** Imports a phrase file into the set shown: all or nothing, then the agent chooses. */
async function importFile(/** @type {string} */ path, /** @type {"keep" | "replace" | null} */ merge, /** @type {boolean} */ skipBad) {
  try {
    const report = await ipc.importPhrases(path, view.set, merge, skipBad);
    view.pending = report.written ? null : { path, report };
    if (report.written) say(`已导入 ${report.added} 条短语${report.replaced ? `，替换 ${report.replaced} 条` : ""}${report.kept ? `，保留原有 ${report.kept} 条` : ""}`);
    await refreshPhrases();
  } catch (e) {
    say(ipc.problem(e), true);
  }
}

/** The core's reason, in the window's words where it is a known code. @param {string} why */
const reason = (why) => (why.includes("has this code already") ? "这组短语里已有这个编码，可选择保留原有或用文件替换" : why);

/** What an import that wrote nothing found, and the ways on. @param {{path: string, report: PhraseImport}} p */
function importReport({ path, report }) {
  const card = el("div", "ph-import");
  card.append(el("p", null, `${path}：${report.rows} 行，${report.rejected} 处问题，没有导入。`));
  const list = el("ol", "problems");
  for (const p of report.problems) list.append(el("li", null, `第 ${p.line} 行 ${p.column}“${p.value}”：${reason(p.reason)}`));
  card.append(list);
  const duplicates = report.problems.some((p) => p.reason.includes("has this code already"));
  const actions = el("div", "actions");
  /** @param {string} label @param {() => void} go */
  const button = (label, go) => { const b = el("button", "ghost", label); b.addEventListener("click", go); return b; };
  if (duplicates) {
    actions.append(button("重复编码保留原有", () => importFile(path, "keep", false)));
    actions.append(button("重复编码用文件替换", () => importFile(path, "replace", false)));
  } else {
    actions.append(button("仅导入正确的行", () => importFile(path, null, true)));
  }
  actions.append(button("关闭", () => { view.pending = null; render(); }));
  card.append(actions);
  return card;
}

/** The view's keys: ↑↓ choose, e edit, i insert, a add, Delete, Alt+↑↓ move. @param {KeyboardEvent} e */
export function onPhrasesKey(e) {
  if (state.group !== "phrases" || !view.sets) return false;
  if (e.altKey && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
    if (view.selected >= 0 && mayEdit()) move(view.selected, e.key === "ArrowUp" ? "up" : "down");
    return true;
  }
  // Through the rows as shown (by group), not the set's positions.
  const shown = [...byGroup().values()].flat();
  const here = shown.indexOf(view.selected);
  if (e.key === "ArrowDown" || e.key === "j") { view.selected = shown[Math.min(shown.length - 1, here + 1)] ?? -1; render(); select(); return true; }
  if (e.key === "ArrowUp" || e.key === "k") { view.selected = shown[Math.max(0, here - 1)] ?? -1; render(); select(); return true; }
  if (!mayEdit()) return false;
  if (e.key === "a") { view.editing = "new"; view.insertAt = null; render(); return true; }
  if (view.selected < 0) return false;
  if (e.key === "e") { view.editing = view.selected; render(); return true; }
  if (e.key === "i") { view.editing = "new"; view.insertAt = view.selected; render(); return true; }
  if (e.key === "Delete") { remove(view.selected); return true; }
  return false;
}

function select() {
  /** @type {HTMLElement | null} */ ($("phrases").querySelector(".ph-row.selected"))?.scrollIntoView({ block: "nearest" });
}

/** The seam the end-to-end tests use where the native file dialog stands between. */
export const importPhraseFile = (/** @type {string} */ path) => importFile(path, null, false);
