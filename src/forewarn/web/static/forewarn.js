// forewarn workbench: shared behaviour. No framework; pages add their own small scripts.
"use strict";
const forewarn = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  // fetch on this origin with the session's CSRF token; resolves to parsed JSON or throws the problem
  async function api(path, options = {}) {
    const headers = Object.assign({"Accept": "application/json", "X-CSRF-Token": csrf()}, options.headers || {});
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.json);
    }
    const response = await fetch(path, Object.assign({}, options, {headers, credentials: "same-origin"}));
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
    if (!response.ok) throw Object.assign(new Error(body?.detail || response.statusText), {problem: body});
    return body;
  }

  // forms marked data-confirm ask before submitting
  document.addEventListener("submit", (event) => {
    const message = event.target.dataset?.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  return {api, csrf};
})();
