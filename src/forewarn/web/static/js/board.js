// forewarn board: acknowledgement deadlines counting down, live updates of the open warnings
// (polling /api/v1/warnings/changes), and browser notifications of new warnings.
// Every piece of data goes into the page through textContent or attributes: never as HTML.
"use strict";
(() => {
  const POLL_MS = 3000;
  const RETRY_MS = 15000;
  const SEVERITIES = ["critical", "high", "elevated"];

  // -- time in words (as the server's `span` and `when` filters write it) --------------------------
  function span(seconds) {
    const sign = seconds < 0 ? "-" : "";
    let s = Math.floor(Math.abs(seconds));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d) return `${sign}${d} d ${h} h`;
    if (h) return `${sign}${h} h ${m} min`;
    return m ? `${sign}${m} min` : `${sign}${s} s`;
  }

  function when(iso) {
    const t = new Date(iso);
    return Number.isNaN(t.getTime()) ? "—" : t.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  // the workspace's time (the page's data-now, running on from page load unless data-clock="frozen"), not the
  // browser's: a demo or replayed workspace lives in its own time, and the browser's clock may be off anyway
  const pageNow = Date.parse(document.body.dataset.now || "");
  const loadedAt = Date.now();
  function workspaceNow() {
    if (Number.isNaN(pageNow)) return Date.now();
    return document.body.dataset.clock === "frozen" ? pageNow : pageNow + (Date.now() - loadedAt);
  }

  function tick() {
    const now = workspaceNow();
    for (const el of document.querySelectorAll(".deadline[data-deadline]")) {
      const left = (Date.parse(el.dataset.deadline) - now) / 1000;
      if (Number.isNaN(left)) continue;
      el.textContent = left >= 0 ? `in ${span(left)}` : `overdue by ${span(-left)}`;
      el.classList.toggle("overdue", left < 0);
    }
    for (const el of document.querySelectorAll(".age[data-since]")) {
      const age = (now - Date.parse(el.dataset.since)) / 1000;
      if (!Number.isNaN(age)) el.textContent = span(Math.max(age, 0));
    }
  }

  tick();
  setInterval(tick, 1000);

  const board = document.getElementById("board");
  if (!board) return; // a warning's page: only the countdown
  const list = document.getElementById("warnings");
  const empty = board.querySelector(".board-empty");
  const count = document.getElementById("open-count");
  const status = document.getElementById("live-status");
  const notifyButton = document.getElementById("notify-permission");
  const canAct = board.dataset.canAct === "true";
  let scenarios = {};
  try { scenarios = JSON.parse(board.dataset.scenarios || "{}"); } catch (e) { scenarios = {}; }
  let cursor = board.dataset.cursor || "";
  const hiddenBeyond = Math.max(Number(count?.textContent || 0) - list.children.length, 0); // open but not drawn

  // -- building a warning's card (the structure of board_actions.html `card`) -----------------------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  const token = (value) => String(value || "").replace(/[^a-z0-9_-]/gi, ""); // safe in a class name

  function hiddenFields() {
    return [el("input", {type: "hidden", name: "csrf_token", value: forewarn.csrf()}),
            el("input", {type: "hidden", name: "next", value: "/"})];
  }

  function actions(w) {
    if (w.state === "disposed") return null;
    const box = el("div", {class: "actions"});
    if (w.state === "raised") {
      box.append(el("form", {method: "post", action: `/warnings/${w.id}/acknowledge`, class: "act act-acknowledge",
                             "data-action": "acknowledge"},
        ...hiddenFields(), el("button", {type: "submit", "data-action": "acknowledge"}, "Acknowledge")));
    }
    const select = el("select", {name: "disposition"},
      el("option", {value: "acted-on"}, "acted on"), el("option", {value: "dismissed"}, "dismissed"));
    box.append(el("form", {method: "post", action: `/warnings/${w.id}/dispose`, class: "act act-dispose",
                           "data-action": "dispose"},
      ...hiddenFields(),
      el("label", {}, "Disposition ", select),
      el("label", {class: "wide"}, el("span", {}, "Rationale ", el("span", {class: "muted"}, "(needed to dismiss)")),
         el("textarea", {name: "rationale", rows: 2, maxlength: 10000})),
      el("label", {class: "wide"},
         el("span", {}, "Signposts ", el("span", {class: "muted"}, "(what would change my mind; one a line)")),
         el("textarea", {name: "signposts", rows: 1, maxlength: 20000})),
      el("button", {type: "submit", "data-action": "dispose"}, "Dispose")));
    const next = w.chain[w.escalation_level + 1];
    if (next !== undefined) {
      box.append(el("form", {method: "post", action: `/warnings/${w.id}/escalate`, class: "act act-escalate",
                             "data-action": "escalate"},
        ...hiddenFields(),
        el("label", {class: "wide"}, "Reason ", el("input", {type: "text", name: "reason", maxlength: 5000})),
        el("button", {type: "submit", class: "secondary", "data-action": "escalate"}, `Escalate to ${next}`)));
    }
    return box;
  }

  function about(w) {
    if (w.scenario_id) return el("a", {href: `/scenarios/${encodeURIComponent(w.scenario_id)}`},
                                 scenarios[w.scenario_id] || w.scenario_id);
    if (w.partner) return `from partner ${w.partner}` + (w.partner_ref ? ` (${w.partner_ref})` : "");
    return "raised by hand";
  }

  function fact(term, ...value) {
    return el("div", {}, el("dt", {}, term), el("dd", {}, ...value));
  }

  function card(w) {
    const classes = ["warning", `sev-${token(w.severity)}`, `state-${token(w.state)}`];
    if (w.escalation_level > 0) classes.push("escalated");
    const owner = w.on_shift === false
      ? fact("Owner", w.owner, " ", el("span", {class: "badge unstaffed"}, "nobody on shift"))
      : fact("Owner", w.owner_shown || w.owner);
    owner.querySelector("dd").className = "owner";
    const facts = el("dl", {class: "facts"},
      fact("Raised", el("time", {datetime: w.raised_at}, when(w.raised_at)), ` by ${w.raised_by}, `,
           el("span", {class: "age", "data-since": w.raised_at}, ""), " ago"),
      fact("About", about(w)),
      owner);
    if (w.ack_deadline) {
      facts.append(fact("Acknowledge", el("span", {class: "deadline", "data-deadline": w.ack_deadline,
                                                   title: when(w.ack_deadline)}, "")));
    } else if (w.acknowledged_at) {
      facts.append(fact("Acknowledged", `by ${w.acknowledged_by}, ${when(w.acknowledged_at)}`));
    }
    if (w.probability !== null && w.probability !== undefined) {
      facts.append(fact("Probability", `${Math.round(w.probability * 100)} %`));
    }
    return el("li", {class: classes.join(" "), "data-warning-id": w.id, "data-severity": w.severity,
                     "data-escalation": w.escalation_level, "data-raised": w.raised_at, "data-state": w.state},
      el("div", {class: "warning-head"},
        el("span", {class: `sev sev-${token(w.severity)}`}, w.severity),
        el("a", {class: "warning-title", href: `/warnings/${w.id}`}, w.title),
        el("span", {class: "badge state"}, w.state),
        w.escalation_level > 0 ? el("span", {class: "badge escalation"}, `escalated · step ${w.escalation_level}`) : null,
        w.reopened > 0 ? el("span", {class: "badge reopened"}, `reopened ×${w.reopened}`) : null,
        w.dissent_count > 0 ? el("a", {class: "badge dissent", href: `/warnings/${w.id}#dissents`,
                                       "data-dissents": w.dissent_count},
                                 `${w.dissent_count} dissent${w.dissent_count === 1 ? "" : "s"}`) : null),
      facts,
      canAct ? actions(w) : null);
  }

  // -- keeping the board in board order ---------------------------------------------------------
  function key(node) {
    const sev = SEVERITIES.indexOf(node.dataset.severity);
    return [Number(node.dataset.escalation) > 0 ? 0 : 1, sev < 0 ? SEVERITIES.length : sev,
            Date.parse(node.dataset.raised) || 0, Number(node.dataset.warningId)];
  }

  function before(a, b) {
    const ka = key(a), kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i];
    return false;
  }

  function place(node) {
    const after = [...list.children].find((other) => other !== node && before(node, other));
    list.insertBefore(node, after || null);
  }

  function keepTyping(old, fresh) {
    // what a person was typing into a card's forms survives the card being redrawn
    for (const field of old.querySelectorAll("textarea, input[type=text], select")) {
      const form = field.closest("form")?.dataset.action;
      const twin = fresh.querySelector(`form[data-action="${form}"] [name="${field.name}"]`);
      if (twin && field.value) twin.value = field.value;
    }
  }

  function refresh() {
    const shown = list.children.length;
    if (count) count.textContent = String(shown + hiddenBeyond);
    if (empty) empty.hidden = shown > 0;
  }

  function notify(w) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const note = new Notification(`forewarn: ${w.severity} warning`, {body: w.title, tag: `forewarn-warning-${w.id}`});
      note.onclick = () => { window.focus(); window.location.assign(`/warnings/${w.id}`); };
    } catch (e) { /* some browsers only notify from a service worker */ }
  }

  function apply(changes) {
    const seen = new Set();
    for (const w of changes.warnings) {
      seen.add(String(w.id));
      const old = list.querySelector(`li.warning[data-warning-id="${w.id}"]`);
      if (w.state === "disposed") {
        if (old) old.remove();
        continue;
      }
      const fresh = card(w);
      if (old) {
        keepTyping(old, fresh);
        const focused = old.contains(document.activeElement) ? document.activeElement : null;
        old.replaceWith(fresh);
        if (focused?.name) fresh.querySelector(`[name="${focused.name}"]`)?.focus();
      } else {
        fresh.classList.add("fresh");
        if (!changes.reset) notify(w);
      }
      place(fresh);
    }
    if (changes.reset) { // the whole open board: what is not in it is closed
      for (const node of [...list.children]) if (!seen.has(node.dataset.warningId)) node.remove();
    }
    refresh();
    tick();
  }

  // -- polling ------------------------------------------------------------------------------------
  function setStatus(state, text) {
    if (!status) return;
    status.dataset.state = state;
    status.textContent = text;
  }

  async function poll() {
    let wait = POLL_MS;
    try {
      const changes = await forewarn.api(cursor ? `/api/v1/warnings/changes?since=${encodeURIComponent(cursor)}`
                                                : "/api/v1/warnings/changes");
      cursor = changes.cursor;
      apply(changes);
      setStatus("live", "live");
    } catch (error) {
      if (error.problem?.status === 401) {
        setStatus("paused", "logged out: reload the page");
        return;
      }
      setStatus("paused", "live updates paused, retrying");
      wait = RETRY_MS;
    }
    setTimeout(poll, wait);
  }

  setTimeout(poll, POLL_MS);

  // -- notifications ------------------------------------------------------------------------------
  function showPermission() {
    // the button stays usable: asking again is harmless, and the browser's answer is the truth
    if (!notifyButton) return;
    if (!("Notification" in window)) {
      notifyButton.textContent = "Notifications not supported here";
      return;
    }
    const labels = {granted: "Notifications on", denied: "Notifications blocked by the browser"};
    notifyButton.textContent = labels[Notification.permission] || "Notify me of new warnings";
    notifyButton.dataset.permission = Notification.permission;
  }

  if (notifyButton) {
    notifyButton.addEventListener("click", async () => {
      if (!("Notification" in window)) return;
      try { await Notification.requestPermission(); } catch (e) { /* older API: callback only */ }
      showPermission();
    });
  }
  showPermission();
})();
