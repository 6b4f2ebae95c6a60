// @ts-check
// The window's one way to the Rust core: every command the window uses is a function, typed
// with what the core returns, kept by what it is about (ui/lib/ipc/), and all of them here
// for the views to import as one `ipc`.

export { call, invoke, listen, problem } from "./ipc/door.js";
export * from "./ipc/workbench.js";
export * from "./ipc/team.js";
export * from "./ipc/schedule.js";
export * from "./ipc/phrases.js";
export * from "./ipc/kpi.js";
