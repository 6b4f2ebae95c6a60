// @ts-check
// The team (团队): accounts with presence and load, and the open conversations; the
// signed-in account in the header, its state switch and the bar of new buyers waiting to
// be greeted. Signed-in accounts only.

import { $, el, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { state } from "../state.js";
import { ATTENDANCE_LABEL, DUTY_LABEL, PRESENCE_LABEL, ROLE_LABEL } from "../labels.js";
import { renderRows } from "./list.js";
import { showBuyer } from "./buyer.js";

/** @typedef {import("../lib/ipc.js").TeamMember} TeamMember */
/** @typedef {import("../lib/ipc.js").Presence} Presence */

const stateSwitch = () => /** @type {HTMLSelectElement} */ ($("state"));

export async function refreshTeam() {
  const me = await ipc.account();
  state.me = me;
  $("sign-in").textContent = me ? `${me.name} · ${ROLE_LABEL[me.role]}` : "登录";
  stateSwitch().hidden = !me;
  if (!me) { $("duty").hidden = true; state.team = []; state.open = []; $("count-team").textContent = "0"; return; }
  const [team, open, kept] = await Promise.all([
    ipc.team(), ipc.conversations(true),
    me.role === "agent" ? Promise.resolve([]) : ipc.adherence().catch(() => []),
  ]);
  state.adherence = new Map(kept.map((a) => [a.agent, a]));
  state.team = team;
  state.open = open;
  const mine = team.find((m) => m.name === me.name);
  if (mine) stateSwitch().value = mine.state;
  // Outside its shifts the header says so: no new buyers come.
  const duty = $("duty");
  duty.hidden = !mine || mine.duty === "unscheduled" || me.role === "main";
  if (mine) {
    duty.textContent = DUTY_LABEL[mine.duty];
    duty.className = `duty d-${mine.duty}`;
    duty.title = mine.duty === "off_shift" ? "排班里你现在不在班：不会分配新买家，老顾客会转给在班的同事" : "按已发布的排班，你现在在班";
  }
  const scheduled = team.some((m) => m.duty !== "unscheduled");
  // New buyers assigned to me and not yet opened: they move on after 30 s.
  const fresh = open.filter((c) => c.agent === me.name && c.opened_at === null);
  const bar = $("new-buyers");
  bar.hidden = fresh.length === 0;
  bar.textContent = `新买家 ${fresh.length} 位待接待：${fresh.map((c) => c.buyer_nick).slice(0, 3).join("、")}`;
  bar.dataset.nick = fresh.length ? fresh[0].buyer_nick : "";
  $("count-team").textContent = String(team.filter((m) => m.presence === "online").length);
  if (state.group === "team" && !state.searchHits) {
    state.total = team.length;
    $("list-title").textContent = `团队 · 在线 ${team.filter((m) => m.presence === "online").length} · 挂起 ${team.filter((m) => m.presence === "suspended").length} · 接待中 ${open.length}` +
      (scheduled ? " · 按已发布排班分流" : " · 当前没有发布的排班，按在线状态分流");
    renderRows();
  }
}

/**
 * Fills a list row with a team member.
 * @param {HTMLElement} row
 * @param {TeamMember} m
 */
export function teamRow(row, m) {
  /** @type {HTMLElement} */ (row.querySelector(".nick")).textContent = `${m.name} · ${ROLE_LABEL[m.role]}`;
  const badge = /** @type {HTMLElement} */ (row.querySelector(".badge"));
  badge.textContent = PRESENCE_LABEL[m.presence];
  badge.className = `badge p-${m.presence}`;
  /** @type {HTMLElement} */ (row.querySelector(".meta")).textContent = m.role === "main" ? `接待 ${m.load} · 子账号全部离线时接待` :
    `接待 ${m.load}/${m.max_load}` + (m.weight !== 1 ? ` · 权重 ${m.weight}` : "") + (m.duty !== "unscheduled" ? ` · ${attendance(m)}` : "") + (m.in_routing ? "" : " · 不参与分流");
}

/**
 * What the schedule says of a member now: its duty, and for a supervisor whether it keeps
 * its shift (late, gone, online off shift) and the day's share of its shifts it was there
 * (出勤, short: the row is one line).
 * @param {TeamMember} m
 */
function attendance(m) {
  const a = state.adherence.get(m.name);
  if (!a) return DUTY_LABEL[m.duty];
  const label = ATTENDANCE_LABEL[a.status];
  const words = a.status === "on_shift" && a.late_minutes ? `${label} · 迟到 ${a.late_minutes} 分钟`
    : a.status === "late" ? `${label} ${a.minutes} 分钟` : label;
  const share = a.scheduled_minutes > 0 ? ` · 出勤 ${Math.round((100 * a.present_minutes) / a.scheduled_minutes)}%` : "";
  return words + share;
}

/**
 * A team member in the right-hand panel: a supervisor may set another's state.
 * @param {TeamMember} m
 */
export function renderMember(m) {
  /** @type {HTMLElement[]} */
  const parts = [el("h2", "buyer-nick", m.name), el("div", "sub", `${ROLE_LABEL[m.role]} · ${PRESENCE_LABEL[m.presence]} · 接待 ${m.load}/${m.max_load}`)];
  if (m.duty !== "unscheduled") parts.push(el("div", "sub", `排班：${attendance(m)}`));
  if (state.me && state.me.role !== "agent" && m.name !== state.me.name) {
    const actions = el("div", "fu-actions");
    for (const [st, label] of /** @type {[Presence, string][]} */ ([["online", "设为在线"], ["suspended", "设为挂起"], ["offline", "设为离线"]])) {
      const b = el("button", "ghost", label);
      b.dataset.state = st;
      b.addEventListener("click", async () => {
        await ipc.setState(m.name, st);
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

export function wireTeam() {
  $("new-buyers").addEventListener("click", () => { if ($("new-buyers").dataset.nick) showBuyer(/** @type {string} */ ($("new-buyers").dataset.nick)); });
  stateSwitch().addEventListener("change", async () => {
    // The team panel may refresh the select with what another PC last saw while this
    // change is on its way: say what was chosen.
    const chosen = /** @type {Presence} */ (stateSwitch().value);
    await ipc.setState(null, chosen);
    say(`已${PRESENCE_LABEL[chosen]}`);
    await refreshTeam();
  });
}
