// briefcast review: small progressive enhancements. Every action also works without this script.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("episode");
  const day = root ? root.dataset.day : null;
  const csrf = document.querySelector("meta[name=csrf-token]")?.content || "";

  // Ask before destructive actions (forms marked data-confirm).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // "Editing as": choosing a name sets it at once and comes back here.
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    const here = form.querySelector("[data-here]");
    if (here) here.value = window.location.pathname + window.location.search;
    form.querySelector("select")?.addEventListener("change", () => form.submit());
  }

  // Chapter buttons seek the whole-episode player.
  const player = document.getElementById("episode-audio");
  for (const button of document.querySelectorAll("[data-seek]")) {
    button.addEventListener("click", () => {
      if (!player) return;
      player.currentTime = parseFloat(button.dataset.seek) || 0;
      player.play().catch(() => {});
    });
  }

  // -- never lose typing: unsaved boxes warn before leaving and are kept in this browser until saved ----------
  const dirty = new Set();
  const squash = (text) => (text || "").replace(/\s+/g, " ").trim();
  const keyOf = (form, field) => `briefcast:${day}:${form.dataset.keep}:${field.name}`;
  // Words sent with a form wait in sessionStorage: a page that says the action failed puts them back as drafts,
  // any other page (the save went through, or the editor left the conflict page with "discard mine") drops them.
  try {
    const pending = JSON.parse(window.sessionStorage.getItem("briefcast:pending") || "{}");
    if (root && root.dataset.failed) {
      for (const [key, value] of Object.entries(pending)) window.localStorage.setItem(key, value);
    }
    if (root) window.sessionStorage.removeItem("briefcast:pending");
  } catch { /* storage disabled: the beforeunload warning still stands */ }
  for (const form of document.querySelectorAll("form[data-keep]")) {
    const version = form.querySelector("input[name=version]");
    for (const field of form.querySelectorAll("textarea, input[type=text], input:not([type])")) {
      if (!field.name) continue;
      const key = keyOf(form, field);
      const saved = (() => { try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch { return null; } })();
      if (saved && squash(saved.value) === squash(field.value)) {
        window.localStorage.removeItem(key);  // the server has these words now
      } else if (saved) {
        field.value = saved.value;
        dirty.add(field);
        // Saving must be checked against the version the typing started from, so another edit is never overwritten.
        if (version && saved.version) version.value = saved.version;
        const details = form.closest("details");
        if (details) details.open = true;
        const note = document.createElement("p");
        note.className = "restored";
        note.setAttribute("role", "status");
        note.textContent = "Unsaved words restored from this browser. Save them, or ";
        const discard = document.createElement("button");
        discard.type = "button";
        discard.className = "small quiet";
        discard.textContent = "discard them";
        discard.addEventListener("click", () => {
          window.localStorage.removeItem(key);
          field.value = field.defaultValue;
          if (version) version.value = version.defaultValue;
          dirty.delete(field);
          note.remove();
        });
        note.append(discard);
        field.before(note);
      }
      field.addEventListener("input", () => {
        if (field.value === field.defaultValue) {
          dirty.delete(field);
          window.localStorage.removeItem(key);
        } else {
          dirty.add(field);
          try {
            window.localStorage.setItem(key, JSON.stringify({ value: field.value, version: version ? version.value : null,
                                                               at: Date.now() }));
          } catch { /* storage full or disabled: the beforeunload warning still stands */ }
        }
      });
    }
    form.addEventListener("submit", () => {
      const pending = {};
      for (const field of form.elements) {
        dirty.delete(field);
        if (!field.name) continue;
        const key = keyOf(form, field);
        const value = window.localStorage.getItem(key);
        if (value !== null) {
          pending[key] = value;
          window.localStorage.removeItem(key);
        }
      }
      try {
        const all = { ...JSON.parse(window.sessionStorage.getItem("briefcast:pending") || "{}"), ...pending };
        window.sessionStorage.setItem("briefcast:pending", JSON.stringify(all));
      } catch { /* see above */ }
    });
  }
  window.addEventListener("beforeunload", (event) => {
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to ask
    }
  });

  // -- long actions: the job is shown where it was started (the segment) and polled in place -------------------
  for (const banner of document.querySelectorAll(".job[data-status='running']")) {
    const id = banner.dataset.jobId;
    const elapsed = banner.querySelector(".job-elapsed");
    const state = banner.querySelector(".job-state");
    const poll = async () => {
      try {
        const answer = await fetch(`/jobs/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } });
        if (answer.ok) {
          const job = await answer.json();
          if (job.status === "running") {
            if (state) state.firstChild.textContent = `${job.phase || "working"}… `;
            if (elapsed) elapsed.textContent = job.elapsed.toFixed(1);
          } else {
            const url = new URL(window.location.href);
            url.searchParams.set("job", id);
            url.searchParams.delete("notice");
            if (!dirty.size) {
              window.location.replace(url.toString());
              return;
            }
            // Typing is open elsewhere on the page: say the job ended, never reload over it.
            banner.dataset.status = job.status;
            banner.className = `banner job job-${job.status}`;
            banner.querySelector(".spinner")?.remove();
            state.textContent = `${job.status === "done" ? "done" : job.status}: ${job.message} `;
            const link = document.createElement("a");
            link.href = url.toString();
            link.textContent = "show the result (save your typing first)";
            state.append(link);
            return;
          }
        }
      } catch (error) {
        // The server may be busy; keep polling.
      }
      window.setTimeout(poll, 700);
    };
    window.setTimeout(poll, 400);
  }

  // -- running order: buttons, drag or arrow keys, saved without a page load ---------------------------------
  const list = document.getElementById("segments");
  const currentOrder = () => [...list.querySelectorAll(":scope > li[data-segment]")].map((li) => li.dataset.segment);
  let baseOrder = root ? root.dataset.order : "";
  const applyState = (state) => {
    baseOrder = state.order.join(",");
    root.dataset.order = baseOrder;
    for (const input of document.querySelectorAll("input[data-order]")) input.value = baseOrder;
    const hash = document.querySelector("input[data-hash]");
    if (hash) hash.value = state.hash;
    const versions = document.querySelector("input[data-versions]");
    if (versions) versions.value = state.versions;
    const stale = document.getElementById("preview-stale");
    if (stale && state.stale.includes("newsletter")) stale.hidden = false;
    const status = document.getElementById("episode-status");
    if (status && status.textContent !== state.status) window.location.reload();
  };
  const renumber = () => {
    list.querySelectorAll(":scope > li[data-segment]").forEach((li, i) => {
      const handle = li.querySelector("[data-handle]");
      if (handle) handle.textContent = String(i + 1);
    });
  };
  const say = (text, isError) => {
    let live = document.getElementById("order-status");
    if (!live) {
      live = document.createElement("div");
      live.id = "order-status";
      live.setAttribute("role", "status");
      list.before(live);
    }
    live.className = `banner ${isError ? "error" : "notice"}`;
    live.textContent = text;
  };
  const saveOrder = async (order) => {
    const body = new URLSearchParams({ csrf, order: order.join(","), base_order: baseOrder });
    const answer = await fetch(`/episodes/${day}/order`, {
      method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      say(`${data.error || "the order was not saved"}${data.hint ? ` (${data.hint})` : ""}`, true);
      return false;
    }
    applyState(data);
    say("Running order saved.", false);
    return true;
  };
  const move = async (li, offset, focus) => {
    const items = [...list.querySelectorAll(":scope > li[data-segment]")];
    const index = items.indexOf(li);
    const target = index + offset;
    if (target < 0 || target >= items.length) return;
    const before = currentOrder();
    if (offset < 0) items[target].before(li); else items[target].after(li);
    renumber();
    if (!(await saveOrder(currentOrder()))) {
      // Put it back as the server has it.
      const byId = Object.fromEntries(items.map((item) => [item.dataset.segment, item]));
      for (const id of before) list.append(byId[id]);
      renumber();
    }
    if (focus) li.querySelector("[data-handle]")?.focus();
  };
  if (list && day) {
    for (const form of list.querySelectorAll("form[data-move]")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        move(form.closest("li[data-segment]"), form.dataset.move === "up" ? -1 : 1, false);
      });
    }
    let dragged = null;
    for (const li of list.querySelectorAll(":scope > li[data-segment]")) {
      const handle = li.querySelector("[data-handle]");
      handle.addEventListener("keydown", (event) => {
        if (event.key === "ArrowUp" || event.key === "ArrowDown") {
          event.preventDefault();
          move(li, event.key === "ArrowUp" ? -1 : 1, true);
        }
      });
      handle.addEventListener("dragstart", (event) => {
        dragged = li;
        li.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", li.dataset.segment);
      });
      handle.addEventListener("dragend", () => li.classList.remove("dragging"));
      li.addEventListener("dragover", (event) => {
        if (dragged && dragged !== li) event.preventDefault();
      });
      li.addEventListener("drop", async (event) => {
        event.preventDefault();
        if (!dragged || dragged === li) return;
        const items = [...list.querySelectorAll(":scope > li[data-segment]")];
        const offset = items.indexOf(li) - items.indexOf(dragged);
        const moving = dragged;
        dragged = null;
        await move(moving, offset, false);
      });
    }
  }

  // Keep the page where the editor was after a save (the server redirects to #seg-<id>).
  const hash = window.location.hash;
  if (hash.startsWith("#seg-")) {
    const target = document.getElementById(hash.slice(1));
    if (target) target.classList.add("highlight");
  }
});
