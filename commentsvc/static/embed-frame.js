// The server-rendered widget page (/embed/<article_id>) with JavaScript on: tell the
// embedding page how tall we are (it sizes the <iframe>, so there is never a scrollbar),
// and offer "Save my name..." (kept in this browser's localStorage, never a cookie).
// Everything here is optional: the page works the same without it.
(() => {
  "use strict";
  const KEY = "commentsvc:author";
  const root = document.querySelector(".commentsvc");
  if (!root) return;

  // ---- height and scrolling, for the parent page (embed.js listens; it checks our origin)
  const framed = window.parent !== window;
  const tell = (message) => {
    // Only a height and an offset: nothing private, so any parent may read them.
    if (framed) window.parent.postMessage({ commentsvc: message.type, article: root.dataset.article, ...message }, "*");
  };
  const reportHeight = () => tell({ type: "height", height: Math.ceil(document.documentElement.scrollHeight) });
  if (framed) {
    new ResizeObserver(reportHeight).observe(document.body);
    window.addEventListener("load", reportHeight);
    reportHeight();
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) tell({ type: "scroll", y: Math.round(target.getBoundingClientRect().top + window.scrollY) });
  }

  // ---- "Save my name, email, and website in this browser"
  const form = root.querySelector(".comment-form");
  const consent = root.querySelector(".comment-form-cookies-consent");
  if (!form || !consent) return;
  let store;
  try {
    store = window.localStorage;
    store.getItem(KEY);
  } catch {
    return; // storage blocked (e.g. a third-party iframe): keep the box hidden
  }
  const box = consent.querySelector("input");
  const fields = ["name", "email", "url"].map((name) => form.elements[name]);
  consent.hidden = false;
  let saved = null;
  try {
    saved = JSON.parse(store.getItem(KEY) || "null");
  } catch {
    saved = null;
  }
  if (saved && typeof saved === "object") {
    box.checked = true;
    for (const field of fields) {
      const value = saved[field.name];
      if (!field.value && typeof value === "string") field.value = value;
    }
  }
  form.addEventListener("submit", () => {
    if (box.checked) {
      store.setItem(KEY, JSON.stringify(Object.fromEntries(fields.map((f) => [f.name, f.value.trim()]))));
    } else {
      store.removeItem(KEY);
    }
  });
})();
