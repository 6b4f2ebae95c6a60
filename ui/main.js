// @ts-check
// Kefu Desk workbench: start-up, the core's events, the keyboard, and the seam the
// end-to-end tests use. The views are in views/, what they share in lib/ and state.js.
// Buyer text (nicks, messages, addresses, remarks, notes) is hostile: it is only ever set
// as text, never as HTML.

import { $, say } from "./lib/dom.js";
import { listen, problem } from "./lib/ipc.js";
import { loadWords } from "./labels.js";
import { state, GROUPS } from "./state.js";
import { closeBuyer, showBuyer } from "./views/buyer.js";
import { refreshAgenda } from "./views/agenda.js";
import { pickAndImport, runImport, showProgress, wireImport } from "./views/import.js";
import { openInquiry, wireInquiry } from "./views/inquiry.js";
import { onSearch, refreshGroup, select, selectGroup, wireList } from "./views/list.js";
import { refreshOverview, wireWelcome } from "./views/overview.js";
import { wireSettings } from "./views/settings.js";
import { wireSignIn } from "./views/sign-in.js";
import { refreshTeam, wireTeam } from "./views/team.js";
import { onScheduleKey, refreshSchedule } from "./views/schedule.js";
import { isPhraseBoxOpen, openPhraseBox, wirePhraseBox } from "./views/phrase-box.js";
import { importPhraseFile, onPhrasesKey, refreshPhrases } from "./views/phrases.js";
import { refreshKpi } from "./views/kpi.js";

/** @param {KeyboardEvent} e */
function onKey(e) {
  const target = /** @type {HTMLElement} */ (e.target);
  const typing = target.matches("input, textarea");
  // The phrase box, from anywhere: p, or Ctrl+P while typing (a note, the search).
  if (!isPhraseBoxOpen() && ((e.key === "p" && !typing && !e.ctrlKey && !e.altKey) || (e.key === "p" && e.ctrlKey))) {
    e.preventDefault();
    openPhraseBox();
    return;
  }
  if (e.key === "Escape") {
    if (typing) {
      target.blur();
      const box = /** @type {HTMLInputElement} */ (target);
      if (box.id === "search" && box.value) { box.value = ""; onSearch(); }
      return;
    }
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
  if (e.key === "7") { selectGroup("schedule"); return; }
  if (e.key === "8") { selectGroup("phrases"); return; }
  if (e.key === "9") { selectGroup("kpi"); return; }
  if (onScheduleKey(e)) { e.preventDefault(); return; }
  if (onPhrasesKey(e)) { e.preventDefault(); return; }
  if (e.key === "n") { e.preventDefault(); openInquiry(); return; }
  // On a follow-up: copy its text, mark it done, or snooze it for an hour.
  const card = document.querySelector("#detail .followup");
  if (card && "cdz".includes(e.key)) {
    const act = { c: "copy", d: "done", z: "snooze-1h" }[/** @type {"c" | "d" | "z"} */ (e.key)];
    const b = /** @type {HTMLElement | null} */ (card.querySelector(`[data-act="${act}"]`));
    if (b) { e.preventDefault(); b.click(); }
    return;
  }
  if (e.key === "ArrowDown" || e.key === "j") { e.preventDefault(); select(state.selected + 1); }
  if (e.key === "ArrowUp" || e.key === "k") { e.preventDefault(); select(Math.max(0, state.selected - 1)); }
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
    await refreshSchedule();
    await refreshPhrases();
    await refreshKpi();
    refreshGroup();
    // Another PC may have saved this buyer's note: the panel shows it, and keeps what the
    // agent is typing (see buyer.js).
    if (state.detailNick) showBuyer(state.detailNick);
  }, 150);
}

async function reload() {
  await refreshOverview();
  performance.mark("kefu:overview");
  // The list first: on a big shop the agenda's counts take longer than the first page.
  const aside = Promise.all([
    refreshAgenda().then(() => performance.mark("kefu:agenda")),
    refreshTeam().then(() => performance.mark("kefu:team")),
  ]);
  if (state.searchHits) onSearch(); else selectGroup(state.group);
  if (state.detailNick) showBuyer(state.detailNick);
  await aside;
}

/**
 * What the end-to-end tests may call, and nothing else: they drive the window through its
 * DOM as an agent would, and through this where a native dialog or a drop stands between.
 */
function installTestSeam() {
  /** @type {any} */ (window).kefuTest = Object.freeze({
    /** Imports as a drop on the window does. @param {string[]} paths @param {boolean} [skipBad] */
    importFiles: (paths, skipBad) => runImport(paths, !!skipBad),
    /** Imports a phrase file into the set shown in 短语, as its 导入… button does. @param {string} path */
    importPhrases: (path) => importPhraseFile(path),
    /** The follow-up loop's latest step (what it claimed and notified since launch), or null. */
    timer: () => state.timer,
  });
}

async function start() {
  const words = loadWords();
  wireList();
  document.addEventListener("keydown", onKey);
  wireWelcome(reload);
  // Show the workbench first; the listeners register alongside.
  const listening = Promise.all([
    listen("desk://changed", () => reload()),
    listen("desk://agenda", () => refreshAgenda()),
    listen("desk://team", () => { refreshTeam(); refreshOverview(); }),
    listen("desk://schedule", () => refreshSchedule()),
    listen("desk://phrases", () => refreshPhrases()),
    listen("desk://kpi", () => refreshKpi()),
    listen("desk://external", () => refreshQuietly()),
    // The database stopped answering (a team database on another machine, most often):
    // say so until it is back; what the agent typed stays in its box.
    listen("desk://connection", (/** @type {import("./lib/ipc.js").ConnectionState} */ c) => {
      $("connection").hidden = c.ok;
      $("connection").textContent = c.ok ? "" : `数据库连接中断，正在自动重试；已输入的内容不会丢失。（${c.message}）`;
      if (c.ok) say("数据库已重新连接");
    }),
    listen("desk://timer", (/** @type {import("./lib/ipc.js").TimerSteps} */ t) => { state.timer = t; }),
    listen("import://progress", showProgress),
    listen("tauri://drag-enter", () => document.body.classList.add("dropping")),
    listen("tauri://drag-leave", () => document.body.classList.remove("dropping")),
    listen("tauri://drag-drop", (/** @type {{paths: string[]}} */ p) => {
      document.body.classList.remove("dropping");
      runImport(p.paths, false);
    }),
  ]);
  wireImport();
  // 绩效's rules are settings: the figures follow a save at once.
  wireSettings(() => refreshKpi());
  wireInquiry();
  wireTeam();
  wireSignIn();
  wirePhraseBox();
  installTestSeam();
  // Where a launch spends its time, read by the launch bench (performance marks).
  await words;
  performance.mark("kefu:words");
  await reload();
  await listening;
  performance.mark("kefu:listening");
  // Due becomes overdue and upcoming becomes due with time alone.
  setInterval(() => refreshAgenda().catch(() => {}), 60000);
  document.body.dataset.ready = "1";
}

start().catch((e) => say(problem(e), true));
