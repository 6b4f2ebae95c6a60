// @ts-check
// Peak days (双11, 618, any date the shop names) in the 排班 view: a chip on the day's
// column head, and a form to name one. The core checks what is saved and raises the
// day's need; the coverage strip and the suggestion follow. Also the form that adds a
// shift template (a night shift for the hours nobody covers) or changes one's times.

import { el } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";

/** @typedef {import("../lib/ipc.js").WeekView} WeekView */
/** @typedef {(op: () => Promise<WeekView>, done: string) => Promise<void>} Write */

/**
 * A form field with these properties.
 * @param {Partial<HTMLInputElement>} props
 */
const input = (props) => Object.assign(el("input"), props);

/**
 * The chip of `date`'s peak day, if it has one, with its remove button.
 * @param {WeekView} w @param {string} date @param {Write} write
 * @returns {HTMLElement | null}
 */
export function peakChip(w, date, write) {
  const p = w.peaks.find((x) => x.date === date);
  if (!p) return null;
  const what = [p.multiplier !== 1 ? `×${p.multiplier}` : "", p.added_per_slot ? `+${p.added_per_slot}/半小时` : "",
    ...p.extra.map((e) => `${e.template}+${e.count}`)].filter(Boolean).join(" ");
  const chip = el("button", "peak", `${p.name}${what ? ` ${what}` : ""}`);
  chip.title = "高峰日：点击移除";
  chip.addEventListener("click", () => write(() => ipc.removePeakDay(date), `已移除高峰日 ${p.name}`));
  return chip;
}

/**
 * The form that names a peak day of the week shown.
 * @param {WeekView} w @param {string[]} dates  the week's days @param {string[]} dayNames @param {Write} write
 */
export function peakForm(w, dates, dayNames, write) {
  const form = el("form", "peak-form");
  form.id = "peak-form";
  const day = el("select");
  dates.forEach((d, i) => day.append(new Option(`${dayNames[i]} ${d.slice(5)}`, d)));
  const name = input({ placeholder: "名称，如 双11", maxLength: 32, required: true });
  const times = input({ type: "number", min: "0", max: "50", step: "0.1", value: "2", title: "当天咨询量是平时的几倍" });
  const template = el("select");
  template.append(new Option("不加班次", ""));
  for (const t of w.templates) template.append(new Option(`${t.name} 加人`, t.name));
  const count = input({ type: "number", min: "0", max: "200", value: "0", title: "在需求之外再加几人" });
  const add = el("button", "ghost", "设为高峰日");
  add.type = "submit";
  form.append(el("span", "fu-sub", "高峰日"), day, name, el("span", "fu-sub", "咨询量 ×"), times, template, count, add);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const extra = template.value && Number(count.value) > 0 ? [{ template: template.value, count: Number(count.value) }] : [];
    const peak = { date: day.value, name: name.value.trim(), multiplier: Number(times.value), added_per_slot: 0, extra };
    write(() => ipc.savePeakDay(peak), `已设 ${peak.date.slice(5)} 为高峰日：${peak.name}`);
  });
  return form;
}

/**
 * The form that adds a shift template or changes its times.
 * @param {WeekView} w @param {Write} write
 */
export function templateForm(w, write) {
  const form = el("form", "peak-form");
  form.id = "template-form";
  const name = input({ placeholder: "班次名，如 夜班", maxLength: 16, required: true });
  const start = input({ placeholder: "00:00", required: true, size: 5 });
  const end = input({ placeholder: "08:00", required: true, size: 5 });
  const save = el("button", "ghost", "保存班次");
  save.type = "submit";
  form.append(el("span", "fu-sub", "班次"), name, start, el("span", "fu-sub", "–"), end, save);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    write(() => ipc.saveShiftTemplate(w.monday, name.value.trim(), start.value.trim(), end.value.trim()), `已保存班次 ${name.value.trim()}`);
  });
  return form;
}
