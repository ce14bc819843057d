/* commentsvc embed.js: the "Leave a Reply" widget for article pages.
 *
 *   <div id="comments" data-commentsvc-article="ARTICLE-ID" data-commentsvc-title="Title"></div>
 *   <script src="https://comments.example.org/embed.js" async></script>
 *
 * One widget per [data-commentsvc-article], each in its own Shadow DOM (style it with the
 * --commentsvc-* custom properties listed in widget.css). [data-commentsvc-count="ID"]
 * elements get the article's comment count. Iframes of /embed/<id> are sized to fit.
 * Plain JavaScript, no build step. Comment HTML comes only from the service's sanitised
 * `html` field; every other value is set as text.
 */
(() => {
  "use strict";
  // The service writes its settings here when it serves this file.
  const CONFIG = Object.assign({ css: "/widget.css", depth: 5, bodyMax: 10000 }, /*commentsvc:config*/{});
  const script = document.currentScript || document.querySelector('script[src*="/embed"]');
  const SERVICE = new URL(script ? script.src : "/", location.href).origin;
  if (window.commentsvc && window.commentsvc.service === SERVICE) {
    window.commentsvc.scan(); // loaded twice: mount what is new, once
    return;
  }

  const MSG = {
    held: "Your comment is awaiting moderation.",
    published: "Thank you: your comment is published.",
    closed: "Comments are closed for this article.",
    notFound: "This article does not take comments.",
    rate: "You are posting too quickly. Wait a minute, then press “Post Comment” again.",
    network: "Could not reach the comment service, so your comment was not sent. Check your connection and try again: your text is still here.",
    server: "Something went wrong on our side and nothing was saved. Please try again in a moment.",
    invalid: "Please correct the fields marked below.",
    load: "Comments could not be loaded. Check your connection, then try again.",
    badArticle: "This comment section is not set up correctly (no valid article id).",
  };
  const ARTICLE_ID = /^[A-Za-z0-9_.:/-]{1,200}$/;
  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
  const AUTHOR_KEY = "commentsvc:author";
  const PENDING_DAYS = 14;

  // ---- storage: this browser only, never a cookie; silently absent when blocked
  const storage = (() => {
    try {
      const s = window.localStorage;
      s.getItem(AUTHOR_KEY);
      return s;
    } catch {
      return null;
    }
  })();
  const recall = (key, fallback) => {
    try {
      return (storage && JSON.parse(storage.getItem(key))) ?? fallback;
    } catch {
      return fallback;
    }
  };
  const keep = (key, value) => {
    try {
      if (storage) value == null ? storage.removeItem(key) : storage.setItem(key, JSON.stringify(value));
    } catch {
      /* full or blocked: nothing to do */
    }
  };

  // ---- building DOM: attributes and text only, never markup
  const h = (tag, props, ...children) => {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === "class") el.className = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child != null && child !== false) el.append(child);
    return el;
  };
  const svg = (tag, attrs) => {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
    return el;
  };

  // The same picture commentsvc/avatars.py draws for the server-rendered page.
  const identicon = (token) => {
    const icon = svg("svg", { class: "avatar", width: 40, height: 40, viewBox: "-0.5 -0.5 6 6", "aria-hidden": "true", "shape-rendering": "crispEdges" });
    icon.append(svg("rect", { x: -0.5, y: -0.5, width: 6, height: 6, fill: "#f0f0f1" }));
    if (!/^[0-9a-f]{16}$/.test(token || "")) return icon;
    const group = svg("g", { fill: `hsl(${parseInt(token.slice(0, 3), 16) % 360} 55% 45%)` });
    const bits = parseInt(token.slice(3, 7), 16);
    const cells = [];
    for (let i = 0; i < 15; i++) {
      if (!((bits >> i) & 1)) continue;
      const x = Math.floor(i / 5), y = i % 5;
      cells.push([x, y]);
      if (x < 2) cells.push([4 - x, y]);
    }
    cells.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [x, y] of cells) group.append(svg("rect", { x, y, width: 1, height: 1 }));
    icon.append(group);
    return icon;
  };

  // ---- words
  const heading = (count, title) => {
    const words = count === 0 ? "No thoughts yet" : count === 1 ? "One thought" : `${count.toLocaleString("en")} thoughts`;
    return title ? `${words} on “${title}”` : words;
  };
  const countLabel = (n) => (n === 0 ? "No comments" : n === 1 ? "1 Comment" : `${n.toLocaleString("en")} Comments`);
  const UNITS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const relative = (date) => {
    const seconds = (Date.now() - date) / 1000;
    const unit = UNITS.find(([, size]) => seconds >= size);
    return unit ? new Intl.RelativeTimeFormat("en").format(-Math.floor(seconds / unit[1]), unit[0]) : "just now";
  };
  const exact = (date) => date.toLocaleString("en-GB", { dateStyle: "long", timeStyle: "short" });
  const webUrl = (url) => {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch {
      return null;
    }
  };

  // The server's rules (CommentIn), checked first so the reader hears at once.
  const check = (v) => {
    const errors = {};
    const body = [...v.body.trim()].length;
    const max = CONFIG.bodyMax;
    if (!body) errors.body = "Write a comment before posting.";
    else if (body > max) errors.body = `Keep the comment under ${max.toLocaleString("en")} characters (this one has ${body.toLocaleString("en")}).`;
    const name = [...v.name.trim()].length;
    if (name < 1 || name > 100) errors.name = "Enter a name of 1 to 100 characters.";
    const email = v.email.trim();
    if (!EMAIL.test(email) || email.length > 254) errors.email = "Enter a valid email address.";
    let url = v.url.trim();
    if (url && !url.includes("://")) url = "https://" + url;
    if (url && (!webUrl(url) || !new URL(url).hostname.includes("."))) errors.url = "Enter a web address starting with http:// or https://.";
    else if (url.length > 200) errors.url = "Longer than maximum length 200.";
    return errors;
  };

  // An Idempotency-Key: random, one per comment (a UUID where the browser makes them).
  const newKey = () => {
    const c = window.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    const bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };

  const walk = (nodes, visit) => {
    for (const node of nodes) {
      visit(node);
      walk(node.replies || [], visit);
    }
  };

  class Widget {
    constructor(host) {
      this.host = host;
      this.article = host.dataset.commentsvcArticle || "";
      this.pageSize = Math.min(Math.max(parseInt(host.dataset.commentsvcPageSize, 10) || 50, 1), 200);
      this.comments = [];
      this.count = 0;
      this.title = null;
      this.open = true;
      this.cursor = null;
      this.replyTo = null;
      this.fields = {};
      this.root = host.shadowRoot || host.attachShadow({ mode: "open" });
      this.build();
      if (ARTICLE_ID.test(this.article)) this.load(null);
      else this.fail(MSG.badArticle, false);
    }

    api(suffix) {
      const path = this.article.split("/").map(encodeURIComponent).join("/");
      return `${SERVICE}/api/v1/articles/${path}/comments${suffix || ""}`;
    }

    build() {
      // Hidden until the stylesheet arrives, so the reader never sees it unstyled.
      const early = h("style", {}, ":host{display:block}.commentsvc{visibility:hidden}");
      const sheet = h("link", { rel: "stylesheet", href: SERVICE + CONFIG.css, onerror: () => early.remove() });
      this.headingEl = h("h2", { class: "comments-title", id: "comments-title" }, "Comments");
      this.problem = h("div", { class: "notice notice-error", role: "alert", hidden: true });
      this.more = h("nav", { class: "comment-navigation", "aria-label": "Older comments", hidden: true },
        h("button", { type: "button", class: "more", onclick: () => this.load(this.cursor) }, "Older comments"));
      this.list = h("ol", { class: "comment-list" });
      this.closed = h("p", { class: "no-comments", hidden: true }, "Comments are closed.");
      this.home = h("div", { class: "respond-home" });
      this.respond = this.buildForm();
      this.respond.hidden = true;
      // A region named by its heading ("3 thoughts on …"), so two widgets on a page differ.
      this.section = h("section", { class: "commentsvc", "aria-labelledby": "comments-title" },
        this.headingEl, this.problem, this.more, this.list, this.home, this.respond, this.closed);
      this.root.replaceChildren(early, sheet, this.section);
    }

    buildForm() {
      const field = (name, label, control, required) => {
        control.id = `f-${name}`;
        control.name = name;
        const error = h("span", { class: "field-error", id: `f-${name}-error`, hidden: true });
        const mark = required ? [" ", h("span", { class: "required", "aria-hidden": "true" }, "*")] : null;
        const p = h("p", { class: `comment-form-${name}` }, h("label", { for: control.id }, label, mark), control, error);
        this.fields[name] = { p, control, error };
        return p;
      };
      this.replyTitle = h("span", {}, "Leave a Reply");
      this.cancel = h("small", { hidden: true }, " ",
        h("button", { type: "button", class: "cancel-reply", onclick: () => this.reply(null) }, "Cancel reply"));
      // The live region is always in the page (empty when silent): a region that appears
      // together with its text is not announced by every screen reader.
      this.message = h("p", { class: "notice", role: "status", "aria-live": "polite" });
      this.save = h("input", { type: "checkbox", id: "f-save" });
      this.notify = h("input", { type: "checkbox", id: "f-notify", name: "notify_replies" });
      this.button = h("button", { type: "submit", class: "submit" }, "Post Comment");
      // A trap for bots, never seen by people (off-screen, hidden from screen readers,
      // skipped by Tab): a comment that fills it is filed as spam.
      this.trap = h("input", { type: "text", id: "f-subject", name: "subject", tabindex: "-1", autocomplete: "off" });
      const trapP = h("p", { class: "comment-form-subject", "aria-hidden": "true" }, h("label", { for: "f-subject" }, "Subject"), " ", this.trap);
      const saveP = h("p", { class: "comment-form-cookies-consent", hidden: !storage }, this.save,
        " ", h("label", { for: "f-save" }, "Save my name, email, and website in this browser for the next time I comment."));
      this.form = h("form", { class: "comment-form", novalidate: true, onsubmit: (e) => this.submit(e) },
        h("p", { class: "comment-notes" }, "Your email address will not be published. Required fields are marked ", h("span", { class: "required" }, "*")),
        field("body", "Comment", h("textarea", { rows: 8, required: true }), true),
        field("name", "Name", h("input", { type: "text", autocomplete: "name", required: true }), true),
        field("email", "Email", h("input", { type: "email", autocomplete: "email", required: true }), true),
        field("url", "Website", h("input", { type: "url", autocomplete: "url" }), false),
        trapP,
        h("p", { class: "comment-form-subscriptions" }, this.notify, " ", h("label", { for: "f-notify" }, "Notify me of follow-up comments by email.")),
        saveP,
        h("p", { class: "form-submit" }, this.button));
      const saved = recall(AUTHOR_KEY, null);
      if (saved && typeof saved === "object") {
        this.save.checked = true;
        for (const name of ["name", "email", "url"]) {
          if (typeof saved[name] === "string") this.fields[name].control.value = saved[name];
        }
      }
      return h("div", { id: "respond", class: "comment-respond" },
        h("h3", { class: "comment-reply-title" }, this.replyTitle, this.cancel), this.message, this.form);
    }

    async load(cursor) {
      const query = new URLSearchParams({ order: "newest", limit: String(this.pageSize) });
      if (cursor) query.set("cursor", cursor);
      let data;
      try {
        const response = await fetch(this.api(`?${query}`), { credentials: "omit" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        // The time-trap's clock: kept from the first load, when the form appeared.
        this.formToken = this.formToken || response.headers.get("Comment-Form-Token");
        data = await response.json();
      } catch {
        this.fail(MSG.load, true);
        return;
      }
      this.problem.hidden = true;
      const page = (data.comments || []).slice().reverse(); // newest page, read oldest first
      this.comments = cursor ? page.concat(this.comments) : page;
      this.cursor = data.next_cursor || null;
      this.count = data.count || 0;
      this.title = data.title || null;
      this.open = data.comments_open !== false;
      this.render();
      if (!this.shown) {
        this.shown = true;
        followHash(this);
      }
    }

    fail(text, retry) {
      this.problem.replaceChildren(text, retry ? " " : "",
        retry ? h("button", { type: "button", class: "more", onclick: () => this.load(null) }, "Try again") : "");
      this.problem.hidden = false;
    }

    pending() {
      const now = Date.now();
      const list = recall(`commentsvc:pending:${SERVICE}:${this.article}`, []);
      return Array.isArray(list) ? list.filter((c) => c && Number.isInteger(c.id) && now - (c.saved_at || 0) < PENDING_DAYS * 864e5) : [];
    }

    keepPending(list) {
      keep(`commentsvc:pending:${SERVICE}:${this.article}`, list.length ? list : null);
    }

    render() {
      this.headingEl.textContent = heading(this.count, this.host.dataset.commentsvcTitle || this.title);
      // The reader's own held comments, until they come back in the thread (approved).
      const published = new Set();
      walk(this.comments, (c) => published.add(c.id));
      const mine = this.pending().filter((c) => !published.has(c.id));
      this.keepPending(mine);
      const extra = new Map();
      for (const c of mine) {
        const key = published.has(c.parent_id) ? c.parent_id : null;
        extra.set(key, (extra.get(key) || []).concat({ ...c, pending: true, replies: [] }));
      }
      const items = (nodes, depth) => nodes.map((c) => this.item(c, depth, extra));
      this.list.replaceChildren(...items(this.comments, 1), ...items(extra.get(null) || [], 1));
      this.list.hidden = !this.list.children.length;
      this.more.hidden = !this.cursor;
      this.closed.hidden = this.open;
      this.respond.hidden = !this.open;
      if (this.replyTo && !this.root.getElementById(`comment-${this.replyTo.id}`)) this.replyTo = null;
      this.place();
    }

    item(c, depth, extra) {
      const classes = ["comment", c.staff && "staff", c.pending && "pending"].filter(Boolean).join(" ");
      const li = h("li", { class: classes, id: `comment-${c.id}` });
      if (c.removed) {
        li.append(h("article", { class: "comment-body removed" }, h("p", {}, "This comment was removed.")));
      } else {
        const author = c.author || {};
        const url = webUrl(author.url);
        // <bdi>: a right-to-left name shows as written and cannot reorder what follows it.
        const label = h("bdi", {}, author.name || "");
        const name = url ? h("a", { class: "url", href: url, rel: "nofollow ugc noopener" }, label) : label;
        const date = new Date(c.created_at);
        const content = h("div", { class: "comment-content" });
        content.innerHTML = c.html || ""; // the service's sanitised HTML, and nothing else
        const canReply = this.open && !c.pending && depth < CONFIG.depth;
        li.append(h("article", { class: "comment-body" },
          h("footer", { class: "comment-meta" }, identicon(author.avatar),
            h("div", { class: "comment-meta-text" },
              h("span", { class: "comment-author" }, name),
              c.staff && h("span", { class: "badge" }, "Staff"),
              h("a", { class: "comment-permalink", href: `#comment-${c.id}` },
                h("time", { datetime: c.created_at, title: isNaN(date) ? null : exact(date) }, isNaN(date) ? "" : relative(date))))),
          c.pending && h("p", { class: "awaiting" }, MSG.held),
          content,
          canReply && h("div", { class: "reply" }, h("button", {
            type: "button", class: "comment-reply-link", "aria-label": `Reply to ${author.name || ""}`,
            onclick: () => this.reply(c),
          }, "Reply"))));
      }
      const replies = (c.replies || []).concat(extra.get(c.id) || []);
      if (replies.length) li.append(h("ol", { class: "children" }, replies.map((r) => this.item(r, depth + 1, extra))));
      return li;
    }

    reply(comment) {
      const was = this.replyTo;
      this.replyTo = comment ? { id: comment.id, name: (comment.author || {}).name || "" } : null;
      this.place();
      this.say(null);
      // Keyboard and screen-reader users go where the action went: into the form to write,
      // and on "Cancel reply" back to the Reply button they came from.
      const back = was && this.root.querySelector(`#comment-${was.id} > article .comment-reply-link`);
      if (comment) this.fields.body.control.focus();
      else if (back) back.focus();
    }

    place() {
      const target = this.replyTo && this.root.getElementById(`comment-${this.replyTo.id}`);
      this.replyTitle.replaceChildren(...(this.replyTo ? ["Reply to ", h("bdi", {}, this.replyTo.name)] : ["Leave a Reply"]));
      this.cancel.hidden = !this.replyTo;
      if (target) target.querySelector(":scope > article").after(this.respond);
      else if (this.respond.previousElementSibling !== this.home) this.home.after(this.respond);
    }

    say(kind, text) {
      this.message.className = `notice notice-${kind || "ok"}`;
      this.message.textContent = kind ? text || "" : "";
    }

    showErrors(errors) {
      for (const [name, { p, control, error }] of Object.entries(this.fields)) {
        const text = errors[name] ? [].concat(errors[name]).join(" ") : "";
        p.classList.toggle("has-error", !!text);
        error.textContent = text;
        error.hidden = !text;
        if (text) {
          control.setAttribute("aria-invalid", "true");
          control.setAttribute("aria-describedby", error.id);
        } else {
          control.removeAttribute("aria-invalid");
          control.removeAttribute("aria-describedby");
        }
      }
      const first = Object.keys(this.fields).find((name) => errors[name]);
      if (first) this.fields[first].control.focus();
    }

    values() {
      return Object.fromEntries(Object.entries(this.fields).map(([name, f]) => [name, f.control.value]));
    }

    async submit(event) {
      event.preventDefault();
      if (this.busy) return;
      const values = this.values();
      const errors = check(values);
      this.showErrors(errors);
      if (Object.keys(errors).length) return this.say("error", MSG.invalid);
      this.say(null);
      const payload = { ...values, notify_replies: this.notify.checked, subject: this.trap.value };
      if (this.formToken) payload.form_token = this.formToken;
      if (this.replyTo) payload.parent_id = this.replyTo.id;
      // aria-disabled, not disabled: a disabled button loses the keyboard focus.
      this.busy = true;
      this.button.setAttribute("aria-disabled", "true");
      try {
        await this.send(payload);
      } finally {
        this.busy = false;
        this.button.removeAttribute("aria-disabled");
      }
    }

    async send(payload) {
      const json = JSON.stringify(payload);
      // The same comment sent again (after a network error or a refusal) keeps its key, so
      // if the first try was stored and only its answer lost, the service stores it once.
      if (!this.attempt || this.attempt.json !== json) this.attempt = { key: newKey(), json };
      let response, body;
      try {
        response = await fetch(this.api(), {
          method: "POST",
          credentials: "omit",
          headers: { "Content-Type": "application/json", "Idempotency-Key": this.attempt.key },
          body: json,
        });
        body = await response.json().catch(() => null);
      } catch {
        return this.say("error", MSG.network);
      }
      if (response.status === 201 || response.status === 202) {
        this.attempt = null;
        return this.posted(response.status, body);
      }
      const error = (body && body.error) || {};
      if (response.status === 422) {
        const fields = error.fields || {};
        this.showErrors(fields);
        const other = Object.entries(fields).filter(([name]) => !this.fields[name]).flatMap(([, m]) => m);
        return this.say("error", other.length ? other.join(" ") : MSG.invalid);
      }
      if (response.status === 429) return this.say("error", error.code === "too_fast" ? error.message : MSG.rate);
      if (response.status === 409) return this.say("error", error.message || MSG.server);
      if (response.status === 403) {
        this.say("error", error.code === "comments_closed" ? MSG.closed : error.message || MSG.server);
        return;
      }
      if (response.status === 404) return this.say("error", MSG.notFound);
      return this.say("error", MSG.server);
    }

    posted(status, body) {
      const author = {};
      for (const name of ["name", "email", "url"]) author[name] = this.fields[name].control.value.trim();
      keep(AUTHOR_KEY, this.save.checked ? author : null);
      this.fields.body.control.value = "";
      this.notify.checked = false;
      this.replyTo = null;
      const hadFocus = this.form.contains(this.root.activeElement);
      const comment = status === 201 ? body : body && body.comment;
      if (comment && status === 202) {
        this.keepPending(this.pending().concat({ ...comment, saved_at: Date.now() }));
      } else if (comment) {
        const parent = [];
        walk(this.comments, (c) => c.id === comment.parent_id && parent.push(c));
        if (parent.length) parent[0].replies = (parent[0].replies || []).concat(comment);
        else this.comments = this.comments.concat(comment);
        this.count += 1;
      }
      this.render();
      this.say("ok", status === 201 ? MSG.published : MSG.held);
      // A reply's form went back under the thread, which took the focus from the button.
      if (hadFocus && !this.form.contains(this.root.activeElement)) this.button.focus({ preventScroll: true });
      const shown = comment && this.root.getElementById(`comment-${comment.id}`);
      if (shown) shown.scrollIntoView({ block: "nearest" });
    }
  }

  // ---- #comments and #comment-<id> links, into the shadow roots
  const widgets = [];
  const followHash = (only) => {
    const match = /^#comment-(\d+)$/.exec(location.hash);
    for (const widget of only ? [only] : widgets) {
      const el = match ? widget.root.getElementById(`comment-${match[1]}`) : null;
      if (el) {
        for (const old of widget.root.querySelectorAll(".target")) old.classList.remove("target");
        el.classList.add("target");
        el.scrollIntoView({ block: "start" });
        return;
      }
      if (location.hash === `#${widget.host.id}` && widget.host.id) widget.host.scrollIntoView({ block: "start" });
    }
  };

  // ---- comment counts for article listings: <a data-commentsvc-count="ID">
  const counted = new WeakSet();
  const fillCounts = async () => {
    const els = [...document.querySelectorAll("[data-commentsvc-count]")].filter((el) => !counted.has(el));
    const ids = [...new Set(els.map((el) => el.dataset.commentsvcCount))].filter((id) => ARTICLE_ID.test(id));
    for (let i = 0; i < ids.length; i += 100) {
      const query = ids.slice(i, i + 100).map((id) => `article_id=${encodeURIComponent(id)}`).join("&");
      try {
        const response = await fetch(`${SERVICE}/api/v1/counts?${query}`, { credentials: "omit" });
        const counts = response.ok ? (await response.json()).counts || {} : {};
        for (const el of els) {
          const n = counts[el.dataset.commentsvcCount];
          if (Number.isInteger(n)) {
            el.textContent = countLabel(n);
            counted.add(el);
          }
        }
      } catch {
        /* counts are a nicety: leave the page's own text */
      }
    }
  };

  // ---- <iframe src=".../embed/ID">: sized to its content, scrolled to its anchors
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (event.origin !== SERVICE || !data || typeof data !== "object") return;
    const frame = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === event.source);
    if (!frame) return;
    if (data.commentsvc === "height" && Number.isFinite(data.height)) {
      frame.style.height = `${Math.min(Math.max(data.height, 50), 100000)}px`;
    } else if (data.commentsvc === "scroll" && Number.isFinite(data.y)) {
      window.scrollTo({ top: frame.getBoundingClientRect().top + window.scrollY + data.y });
    }
  });

  const mounted = new WeakSet();
  const scan = () => {
    for (const host of document.querySelectorAll("[data-commentsvc-article]")) {
      if (mounted.has(host)) continue;
      mounted.add(host);
      widgets.push(new Widget(host));
    }
    fillCounts();
  };
  window.commentsvc = Object.freeze({ service: SERVICE, scan });
  window.addEventListener("hashchange", () => followHash(null));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
